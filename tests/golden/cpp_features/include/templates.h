// templates.h - class, function, variable and alias templates, partial and full
// specializations, CRTP, template bases. Included by src/main.cpp only.
#ifndef GOLDEN_TEMPLATES_H
#define GOLDEN_TEMPLATES_H

namespace tmpl {

/// Counts calls made from template code; a non-template callee for templates.
inline int note_call()
{
    static int calls = 0;
    return ++calls;
}

/// A fixed-size buffer: class template with a type and a non-type parameter.
template <typename T, int N>
class Buffer {
public:
    T &at(int i) { return data_[i]; }
    int size() const { return N; }
    static constexpr int capacity = N;

private:
    T data_[N];
};

/// Partial specialization: a buffer of pointers.
template <typename T, int N>
class Buffer<T *, N> {
public:
    T *first() const { return data_[0]; }

private:
    T *data_[N];
};

/// Full specialization: the empty bool buffer.
template <>
class Buffer<bool, 0> {
public:
    int size() const { return 0; }
};

/// Larger of a and b: a function template.
template <typename T>
T largest(T a, T b)
{
    return a < b ? b : a;
}

/// Full specialization of largest for C strings.
template <>
inline const char *largest<const char *>(const char *a, const char *b)
{
    note_call();
    return a ? a : b;
}

/// A variable template.
template <typename T>
constexpr T pi = T(3.14159265358979);

/// Full specialization of the variable template.
template <>
constexpr int pi<int> = 3;

/// An alias template.
template <typename T>
using Pair = Buffer<T, 2>;

/// CRTP base: Derived provides impl().
template <typename Derived>
struct Countable {
    int twice() const { return static_cast<const Derived *>(this)->impl() * 2; }
};

/// A CRTP user.
struct Apples : Countable<Apples> {
    int impl() const { return 3; }
};

/// A class template whose base is a template that depends on its parameter.
template <typename T>
class Stack : public Buffer<T, 8> {
public:
    void push(const T &v)
    {
        note_call();
        this->at(top_++) = v;
    }
    int depth() const { return top_; }

private:
    int top_ = 0;
};

/// A plain class deriving from a template instance.
class IntStack : public Stack<int> {
public:
    int peek() { return at(0); }
};

/// Largest of three: calls inside a function template.
template <typename T>
T biggest_of_three(T a, T b, T c)
{
    note_call();
    return largest(largest(a, b), c);
}

} // namespace tmpl

#endif
