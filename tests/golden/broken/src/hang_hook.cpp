// hang_hook.cpp - with CIDX_TEST_HOOKS=1 the parse worker hangs on this file.
// cidx-test-hook: hang

/// An ordinary function: indexed normally when the test hooks are off.
int hang_hook_function(int v)
{
    return v + 200;
}
