// unreadable.cpp - an ordinary file; the test makes it unreadable (chmod 000) at run time.

/// Indexed only while the file can be read.
int unreadable_function()
{
    return 7;
}
