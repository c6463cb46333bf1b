// good.cpp - a valid file: the broken project always has something good to index.

/// A valid helper.
static int good_helper(int v)
{
    return v * 2;
}

/// Calls the helper.
int good_function(int v)
{
    return good_helper(v) + 1;
}
