// partial.cpp - syntax errors between valid declarations: the index keeps what clang recovers.

/// Declared before the first error.
int before_error(int x)
{
    return x + 1;
}

struct Intact {
    int field;
    int method() const { return field; }
};

// error 1: an initializer with no expression.
int broken_variable = ;

// error 2: a member declaration with a stray word; the struct and its other members survive.
struct Damaged {
    int good_member;
    int bad member;
    int other_member;
};

// error 3: a statement with a missing semicolon, inside an otherwise valid function.
int missing_semicolon()
{
    int value = before_error(1)
    return value;
}

/// Declared after the errors; must still be indexed.
int after_error(int y)
{
    return before_error(y) * 2;
}

namespace still {
/// A class after the errors.
class Standing {
public:
    int height() const { return 3; }
};
} // namespace still
