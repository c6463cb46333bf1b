// latin1.cpp - Latin-1 bytes (not UTF-8) in a doc comment and a string literal.

/// Café au lait, naïve dürum: this brief is not valid UTF-8.
int latin1_function()
{
    const char *text = "grüß";
    return text[0];
}
