// cycle_a.h - includes cycle_b.h, which includes this file again: a cycle in the include graph.
#ifndef GOLDEN_CYCLE_A_H
#define GOLDEN_CYCLE_A_H

#include "cycle_b.h"

/// Half of the cycle.
inline int cycle_a_value()
{
    return 1;
}

#endif
