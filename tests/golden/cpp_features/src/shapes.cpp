// shapes.cpp - out-of-line methods, operators, constructors and the destructor of shapes.h.
#include "shapes.h"

#define SHAPES_PI 3.14159

namespace geo {

int Shape::live_ = 0;

Sink &Sink::operator<<(const char *text)
{
    count_ += text ? 1 : 0;
    return *this;
}

Sink &Sink::operator<<(int value)
{
    count_ += value ? 1 : 0;
    return *this;
}

Shape::Shape() : id_(0)
{
    ++live_;
}

Shape::Shape(int id) : id_(id)
{
    ++live_;
}

Shape::Shape(const Shape &other) : id_(other.id_)
{
    ++live_;
}

Shape::Shape(Shape &&other) noexcept : id_(other.id_)
{
    other.id_ = -1;
    ++live_;
}

Shape::~Shape()
{
    --live_;
}

void Shape::draw(Sink &out) const
{
    out << "shape" << id();
}

int Shape::count()
{
    return live_;
}

bool Shape::operator==(const Shape &other) const
{
    return area() == other.area();
}

Shape::operator bool() const
{
    return area() > 0;
}

Circle::Circle(double r) : Shape(1), radius_(r) {}

double Circle::area() const
{
    return SHAPES_PI * radius_ * radius_;
}

void Circle::draw(Sink &out) const
{
    Shape::draw(out);
    out << "circle";
}

double Square::area() const
{
    return side_ * side_;
}

Labeled::Labeled(double r, const char *n) : Circle(r)
{
    name = n;
}

const char *Labeled::label() const
{
    return Named::label();
}

void draw_all(Shape *const *shapes, int n, Sink &out)
{
    for (int i = 0; i < n; i++)
        shapes[i]->draw(out);
}

} // namespace geo
