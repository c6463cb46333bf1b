// util.h - namespaces, overloads, enums, aliases, macros, a struct and a union.
// Included by src/main.cpp, src/util.cpp, src/shapes.cpp (via shapes.h) and
// "src/dir with space/ünïcode.cpp": the index must hold its symbols once.
#ifndef GOLDEN_UTIL_H
#define GOLDEN_UTIL_H

/// Larger of two values.
#define UTIL_MAX(a, b) ((a) > (b) ? (a) : (b))
#define UTIL_VERSION 3
#define UTIL_UNUSED_FLAG 1
#define UTIL_UNUSED_FN(x) ((x) + 1)

namespace outer {
namespace inner {

/// Adds two ints.
int add(int a, int b);
/// Adds two doubles (an overload).
double add(double a, double b);
/// Adds three ints (an overload with another arity).
int add(int a, int b, int c);

} // namespace inner

inline namespace v2 {
/// Lives in an inline namespace: outer::v2::version, callable as outer::version.
int version();
} // namespace v2

} // namespace outer

namespace outer::deepns {
/// Squares x at compile time.
constexpr int square(int x) { return x * x; }
/// Cubes x; an inline function that calls square.
inline int cube(int x) { return x * square(x); }
} // namespace outer::deepns

/// Unscoped enum.
enum Color { RED, GREEN = 5, BLUE };

/// Scoped enum with an underlying type.
enum class Mode : unsigned char { Off, On = 2, Auto };

/// A typedef of a builtin type.
typedef unsigned long ulong_t;
/// An alias of a function pointer type.
using Callback = int (*)(int);
/// A typedef that names an anonymous struct.
typedef struct {
    int x, y;
} Point;

/// A struct with every access specifier.
struct Record {
    int id; ///< the record id (a trailing doc comment)
private:
    int secret_ = 0;
protected:
    int shared_ = 0;
public:
    Mode mode = Mode::Off;
    int reveal() const { return secret_ + shared_; }
};

/// A union of an int and a float.
union Number {
    int i;
    float f;
};

/// The global counter, defined in util.cpp.
extern int g_counter;

/// Calls cb with v: a call through a function pointer.
int apply(Callback cb, int v);

#endif
