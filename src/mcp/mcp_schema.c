/*
 * mcp_schema.c - the JSON Schema subset the tool table uses: parsing the built-in schema texts
 * and checking tool arguments against their input schema, with messages that name the argument
 * and say what was expected, so an agent can fix its call.
 *
 * The schemas are written in the common subset of draft-07 and draft 2020-12 (what MCP clients
 * validate with): type, enum, const, minimum, maximum, minLength, maxLength, properties,
 * required, additionalProperties, items (one schema), maxItems, anyOf, description, default.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcp_int.h"

json_t *mcp_schema_parse(const char *text)
{
    char *copy = xstrdup(text);
    json_error_t je;
    json_t *v;
    for (char *p = copy; *p; p++)
        if (*p == '\'')
            *p = '"';
    v = json_loads(copy, 0, &je);
    if (!v)
        BUG("built-in schema does not parse: %s at %d: %.80s", je.text, je.position,
            copy + (je.position > 40 ? je.position - 40 : 0));
    free(copy);
    return v;
}

static const char *type_of(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    default:
        return "null";
    }
}

/* A real that holds a whole number (5.0), inside the range where doubles are exact. */
static bool is_whole(const json_t *v)
{
    double d = json_real_value(v);
    return json_is_real(v) && d >= -9007199254740992.0 && d <= 9007199254740992.0 &&
           d == (double)(long long)d;
}

static bool type_matches(const char *t, const json_t *v)
{
    if (!strcmp(t, "string"))
        return json_is_string(v);
    if (!strcmp(t, "integer"))
        return json_is_integer(v) || is_whole(v);
    if (!strcmp(t, "number"))
        return json_is_number(v);
    if (!strcmp(t, "boolean"))
        return json_is_boolean(v);
    if (!strcmp(t, "object"))
        return json_is_object(v);
    if (!strcmp(t, "array"))
        return json_is_array(v);
    if (!strcmp(t, "null"))
        return json_is_null(v);
    return false;
}

static void name_of(char *out, size_t n, const char *where)
{
    if (*where)
        snprintf(out, n, "'%s'", where);
    else
        snprintf(out, n, "the arguments");
}

/* A short rendering of a value for messages. */
static void show(char *out, size_t n, const json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!s) {
        snprintf(out, n, "?");
        return;
    }
    if (strlen(s) > 60)
        snprintf(out, n, "%.57s...", s);
    else
        snprintf(out, n, "%s", s);
    free(s);
}

int mcp_schema_check(const json_t *schema, const json_t *value, const char *where, struct err *err)
{
    const json_t *t, *k;
    char name[200], got[80];

    name_of(name, sizeof(name), where);
    if (!json_is_object(schema))
        return 0;
    t = json_object_get(schema, "type");
    if (t) {
        bool ok = false;
        struct strbuf want = STRBUF_INIT;
        if (json_is_string(t)) {
            ok = type_matches(json_string_value(t), value);
            strbuf_adds(&want, json_string_value(t));
        } else if (json_is_array(t)) {
            size_t i;
            const json_t *e;
            json_array_foreach(t, i, e)
            {
                if (json_is_string(e)) {
                    ok = ok || type_matches(json_string_value(e), value);
                    strbuf_addf(&want, "%s%s", i ? " or " : "", json_string_value(e));
                }
            }
        } else {
            ok = true;
        }
        if (!ok) {
            int rc = err_set(err, ERR_INVALID, "%s must be %s %s (got %s)", name,
                             strchr("aeiou", want.buf[0]) ? "an" : "a", want.buf, type_of(value));
            strbuf_release(&want);
            return rc;
        }
        strbuf_release(&want);
    }
    if ((k = json_object_get(schema, "const")) && !json_equal(k, (json_t *)value)) {
        show(got, sizeof(got), k);
        return err_set(err, ERR_INVALID, "%s must be %s", name, got);
    }
    if ((k = json_object_get(schema, "enum")) && json_is_array(k)) {
        size_t i;
        const json_t *e;
        bool found = false;
        struct strbuf list = STRBUF_INIT;
        json_array_foreach(k, i, e)
        {
            if (json_equal((json_t *)e, (json_t *)value))
                found = true;
            if (json_is_string(e))
                strbuf_addf(&list, "%s%s", i ? ", " : "", json_string_value(e));
        }
        if (!found) {
            int rc;
            show(got, sizeof(got), value);
            rc = err_set(err, ERR_INVALID, "%s must be one of: %s (got %s)", name, list.buf, got);
            strbuf_release(&list);
            return rc;
        }
        strbuf_release(&list);
    }
    if (json_is_number(value)) {
        double d = json_number_value(value);
        show(got, sizeof(got), value);
        if ((k = json_object_get(schema, "minimum")) && json_is_number(k) &&
            d < json_number_value(k))
            return err_set(err, ERR_INVALID, "%s must be at least %g (got %s)", name,
                           json_number_value(k), got);
        if ((k = json_object_get(schema, "maximum")) && json_is_number(k) &&
            d > json_number_value(k))
            return err_set(err, ERR_INVALID, "%s must be at most %g (got %s)", name,
                           json_number_value(k), got);
    }
    if (json_is_string(value)) {
        size_t len = json_string_length(value);
        if ((k = json_object_get(schema, "minLength")) && json_is_integer(k) &&
            (json_int_t)len < json_integer_value(k))
            return err_set(err, ERR_INVALID, "%s must not be empty", name);
        if ((k = json_object_get(schema, "maxLength")) && json_is_integer(k) &&
            (json_int_t)len > json_integer_value(k))
            return err_set(err, ERR_INVALID, "%s is too long (%zu bytes; at most %lld)", name, len,
                           (long long)json_integer_value(k));
        if (memchr(json_string_value(value), 0, len))
            return err_set(err, ERR_INVALID, "%s must not contain a NUL character", name);
    }
    if (json_is_array(value)) {
        const json_t *items = json_object_get(schema, "items"), *e;
        size_t i;
        if ((k = json_object_get(schema, "maxItems")) && json_is_integer(k) &&
            (json_int_t)json_array_size(value) > json_integer_value(k))
            return err_set(err, ERR_INVALID, "%s has too many items (at most %lld)", name,
                           (long long)json_integer_value(k));
        if (items)
            json_array_foreach(value, i, e)
            {
                char sub[200];
                int rc;
                snprintf(sub, sizeof(sub), "%s[%zu]", where, i);
                if ((rc = mcp_schema_check(items, e, sub, err)) != 0)
                    return rc;
            }
    }
    if (json_is_object(value)) {
        const json_t *props = json_object_get(schema, "properties"), *req, *add, *e;
        const char *key;
        size_t i;
        if ((req = json_object_get(schema, "required")) && json_is_array(req))
            json_array_foreach(req, i, e)
            {
                if (json_is_string(e) && !json_object_get(value, json_string_value(e))) {
                    if (*where)
                        return err_set(err, ERR_INVALID, "'%s.%s' is required", where,
                                       json_string_value(e));
                    return err_set(err, ERR_INVALID, "'%s' is required", json_string_value(e));
                }
            }
        add = json_object_get(schema, "additionalProperties");
        json_object_foreach((json_t *)value, key, e)
        {
            const json_t *ps = props ? json_object_get(props, key) : NULL;
            char sub[200];
            int rc;
            if (*where)
                snprintf(sub, sizeof(sub), "%s.%s", where, key);
            else
                snprintf(sub, sizeof(sub), "%s", key);
            if (!ps && json_is_false(add)) {
                struct strbuf known = STRBUF_INIT;
                const char *pk;
                const json_t *pv;
                json_object_foreach((json_t *)props, pk, pv)
                {
                    strbuf_addf(&known, "%s%s", known.len ? ", " : "", pk);
                }
                rc = err_set(err, ERR_INVALID, "unknown argument '%s' (known: %s)", sub,
                             known.len ? known.buf : "none");
                strbuf_release(&known);
                return rc;
            }
            if (!ps && json_is_object(add))
                ps = add;
            if (ps && (rc = mcp_schema_check(ps, e, sub, err)) != 0)
                return rc;
        }
    }
    if ((k = json_object_get(schema, "anyOf")) && json_is_array(k)) {
        size_t i;
        const json_t *e;
        struct err first = {0};
        json_array_foreach(k, i, e)
        {
            struct err tmp = {0};
            if (mcp_schema_check(e, value, where, &tmp) == 0)
                return 0;
            if (i == 0)
                first = tmp;
        }
        return err_set(err, ERR_INVALID, "%s", first.msg);
    }
    return 0;
}
