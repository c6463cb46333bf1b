// crash_hook.cpp - with CIDX_TEST_HOOKS=1 the parse worker aborts on this file.
// cidx-test-hook: crash

/// An ordinary function: indexed normally when the test hooks are off.
int crash_hook_function(int v)
{
    return v + 100;
}
