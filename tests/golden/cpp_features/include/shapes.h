// shapes.h - the class hierarchy: single, multiple and virtual inheritance, virtual, pure,
// override and final methods, constructors and destructors of every kind, operators.
// Included by src/main.cpp and src/shapes.cpp.
#ifndef GOLDEN_SHAPES_H
#define GOLDEN_SHAPES_H

#include "util.h"

namespace geo {

/// A text sink that shapes print to.
///
/// Stands in for std::ostream so that the project needs no system header.
class Sink {
public:
    Sink &operator<<(const char *text);
    Sink &operator<<(int value);
    int written() const { return count_; }

private:
    int count_ = 0;
};

/**
 * @brief Base of every shape.
 *
 * Shapes have an area and can draw themselves on a Sink. The class is
 * abstract: area() is pure virtual.
 */
class Shape {
public:
    Shape();
    explicit Shape(int id);
    Shape(const Shape &other);
    Shape(Shape &&other) noexcept;
    Shape &operator=(const Shape &other) = default;
    virtual ~Shape();

    virtual double area() const = 0;
    virtual void draw(Sink &out) const;
    int id() const { return id_; }
    static int count();

    bool operator==(const Shape &other) const;
    explicit operator bool() const;

protected:
    int id_;

private:
    static int live_;
};

//! A circle: single inheritance.
class Circle : public Shape {
public:
    explicit Circle(double r);
    double area() const override;
    void draw(Sink &out) const override;

private:
    double radius_;
};

/// A square that cannot be derived from.
class Square final : public Shape {
public:
    Square(double side) : side_(side) {}
    Square(const Square &) = delete;
    double area() const final;

private:
    double side_;
};

/// Something with a name; the second base of Labeled.
struct Named {
    const char *name = "unnamed";
    virtual const char *label() const { return name; }
    virtual ~Named() = default;
};

/// Multiple inheritance: a circle with a name (the second base is protected).
class Labeled : public Circle, protected Named {
public:
    Labeled(double r, const char *n);
    const char *label() const override;
};

// Virtual inheritance, the diamond Node <- Left, Right <- Joined (no doc comment here).
struct Node {
    int weight = 1;
};
struct Left : virtual public Node {};
struct Right : public virtual Node {};
struct Joined : Left, Right {
    int total() const { return weight * 2; }
};

/// Draws every shape in the array, through the base pointer.
void draw_all(Shape *const *shapes, int n, Sink &out);

} // namespace geo

#endif
