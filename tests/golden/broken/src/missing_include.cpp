// missing_include.cpp - includes a header that does not exist; the rest still parses.
#include "does_not_exist.h"

/// Declared after the missing include.
int survives_missing_include(int v)
{
    return v - 1;
}

/// Uses a type from the missing header: an error, but the function is still declared.
int uses_missing_type(MissingType *m)
{
    return m ? 1 : 0;
}
