// ßpecial file.cpp - a path with spaces and non-ASCII characters in a directory and a file name.
#include "cycle_a.h"

/// A function in a file whose path needs quoting.
int special_path_function()
{
    return cycle_a_value() + 1;
}
