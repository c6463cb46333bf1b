// ünïcode.cpp - a file under a directory with a space, with a non-ASCII name and identifiers.
#include "util.h"

/// A global with a non-ASCII name.
int café = 1;

/// Reads café and calls across files.
int naïve_total()
{
    return café + outer::inner::add(café, 2);
}
