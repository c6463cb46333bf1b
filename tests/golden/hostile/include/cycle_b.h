// cycle_b.h - includes cycle_a.h back; the include guards stop the recursion.
#ifndef GOLDEN_CYCLE_B_H
#define GOLDEN_CYCLE_B_H

#include "cycle_a.h"

/// The other half of the cycle.
inline int cycle_b_value()
{
    return 2;
}

#endif
