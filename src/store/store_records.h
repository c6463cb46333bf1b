/*
 * store_records.h - the vocabulary of index records: symbol kinds, access, attributes, template
 * kinds and reference roles. Shared by the store (store.h includes it) and by the parse worker,
 * which produces records but never talks to the store.
 */
#ifndef CIDX_STORE_RECORDS_H
#define CIDX_STORE_RECORDS_H

enum store_kind {
    STORE_KIND_UNKNOWN = 0,
    STORE_KIND_NAMESPACE,
    STORE_KIND_CLASS,
    STORE_KIND_STRUCT,
    STORE_KIND_UNION,
    STORE_KIND_ENUM,
    STORE_KIND_ENUM_CONSTANT,
    STORE_KIND_FUNCTION,
    STORE_KIND_METHOD,
    STORE_KIND_CONSTRUCTOR,
    STORE_KIND_DESTRUCTOR,
    STORE_KIND_CONVERSION,
    STORE_KIND_FIELD,
    STORE_KIND_VARIABLE,
    STORE_KIND_TYPEDEF,
    STORE_KIND_TYPE_ALIAS,
    STORE_KIND_MACRO,
    STORE_KIND_CONCEPT,
    STORE_KIND_COUNT_
};

enum store_access {
    STORE_ACCESS_NONE = 0,
    STORE_ACCESS_PUBLIC,
    STORE_ACCESS_PROTECTED,
    STORE_ACCESS_PRIVATE
};

/* Symbol attributes (a bit set). */
enum store_attr {
    STORE_ATTR_VIRTUAL = 1 << 0,
    STORE_ATTR_PURE = 1 << 1,
    STORE_ATTR_OVERRIDE = 1 << 2,
    STORE_ATTR_STATIC = 1 << 3,
    STORE_ATTR_CONST = 1 << 4,
    STORE_ATTR_DELETED = 1 << 5,
    STORE_ATTR_DEFAULTED = 1 << 6,
    STORE_ATTR_INLINE = 1 << 7,
    STORE_ATTR_CONSTEXPR = 1 << 8,
    STORE_ATTR_FINAL = 1 << 9,
    STORE_ATTR_EXPLICIT = 1 << 10,
    STORE_ATTR_SCOPED = 1 << 11, /* scoped enum (enum class) */
};

enum store_template {
    STORE_TEMPLATE_NONE = 0,
    STORE_TEMPLATE_PRIMARY,      /* template<...> class X / function */
    STORE_TEMPLATE_PARTIAL_SPEC, /* partial specialization */
    STORE_TEMPLATE_FULL_SPEC,    /* explicit (full) specialization */
};

/* Reference roles (a bit set). A call is a reference with STORE_ROLE_CALL. */
enum store_role {
    STORE_ROLE_DECLARATION = 1 << 0,
    STORE_ROLE_DEFINITION = 1 << 1,
    STORE_ROLE_READ = 1 << 2,
    STORE_ROLE_WRITE = 1 << 3,
    STORE_ROLE_CALL = 1 << 4,
    STORE_ROLE_TYPE = 1 << 5,
    STORE_ROLE_ADDRESS = 1 << 6,
    STORE_ROLE_VIRTUAL = 1 << 7,   /* a call dispatched virtually */
    STORE_ROLE_MEMBER = 1 << 8,    /* a member call (obj.f(), p->f()) */
    STORE_ROLE_CONSTRUCT = 1 << 9, /* a constructor call */
};

#endif
