// good.cpp - a valid file among the hostile ones; includes a header cycle.
#include "cycle_a.h"

/// Always indexed.
int good_hostile_function()
{
    return cycle_a_value() + cycle_b_value();
}
