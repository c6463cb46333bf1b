// A test-framework style macro: one use declares a class with a method and defines the method,
// all at the macro's use, so the declaration and the definition share one position (as
// googletest's TEST does). The index must keep them as one definition.
#define MINI_TEST(name)                                                                            \
    struct name##_Test {                                                                           \
        void Body();                                                                               \
    };                                                                                             \
    void name##_Test::Body()

MINI_TEST(Adds) { int x = 1 + 1; (void)x; }
