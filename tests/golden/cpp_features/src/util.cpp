// util.cpp - definitions for util.h, a static variable, a call through a function pointer.
// The compile database lists this file twice: the first entry (-DCIDX_FLAVOR=1) wins.
#include "util.h"

int g_counter = 0;

static int s_calls = 0;

namespace outer {
namespace inner {

int add(int a, int b)
{
    ++s_calls;
    return a + b;
}

double add(double a, double b)
{
    ++s_calls;
    return a + b;
}

int add(int a, int b, int c)
{
    return add(add(a, b), c);
}

} // namespace inner

int v2::version()
{
    return UTIL_VERSION;
}

} // namespace outer

int apply(Callback cb, int v)
{
    return cb(v);
}

#if CIDX_FLAVOR == 1
/// Exists only with the first compile command of this file.
int flavor_one() { return 1; }
#else
/// Exists only with the second (ignored) compile command of this file.
int flavor_two() { return 2; }
#endif
