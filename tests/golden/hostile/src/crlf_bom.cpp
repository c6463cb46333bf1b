// crlf_bom.cpp - a byte order mark and CRLF line ends.

/// A function in a CRLF file.
int crlf_function(int v)
{
    return v + 4;
}

/// Calls crlf_function.
int crlf_caller()
{
    return crlf_function(1);
}
