/* xml_fields.c — expat-driven extraction of element texts (xml_fields.h).
 * Documents with a DOCTYPE carrying entity declarations are rejected: no
 * discovery reply needs them and they are the classic expansion attack. */
#include "discovery/xml_fields.h"

#include "core/util.h"

#include <expat.h>
#include <stdint.h>
#include <string.h>

/* Deepest nesting accepted; discovery replies are a few levels deep. */
#define XML_DEPTH_MAX 64

struct extract_state {
    XML_Parser parser;
    struct xml_field *fields;
    size_t n_fields;
    char *root;
    size_t root_size;
    unsigned depth;
    struct xml_field *capturing; /* field collecting text, or NULL */
    unsigned capture_depth;
    size_t captured;
    bool failed;
};

static const char *local_name(const char *name)
{
    const char *colon = strrchr(name, ':');
    return colon ? colon + 1 : name;
}

static void on_start(void *data, const char *name, const char **attrs)
{
    (void)attrs;
    struct extract_state *st = data;
    if (++st->depth > XML_DEPTH_MAX) {
        st->failed = true;
        XML_StopParser(st->parser, XML_FALSE);
        return;
    }
    const char *local = local_name(name);
    if (st->depth == 1 && st->root)
        strlcpy_safe(st->root, local, st->root_size);
    if (st->capturing)
        return;
    for (size_t i = 0; i < st->n_fields; i++) {
        struct xml_field *f = &st->fields[i];
        if (!f->seen && strcmp(f->name, local) == 0) {
            f->seen = true;
            if (!f->size) /* presence only: containers keep their children visible */
                continue;
            f->value[0] = '\0';
            st->capturing = f;
            st->capture_depth = st->depth;
            st->captured = 0;
            return;
        }
    }
}

static void trim_in_place(char *s)
{
    size_t len = strlen(s), start = 0;
    while (len &&
           (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r' || s[len - 1] == '\n'))
        len--;
    while (start < len &&
           (s[start] == ' ' || s[start] == '\t' || s[start] == '\r' || s[start] == '\n'))
        start++;
    memmove(s, s + start, len - start);
    s[len - start] = '\0';
}

static void on_end(void *data, const char *name)
{
    (void)name;
    struct extract_state *st = data;
    if (st->capturing && st->depth == st->capture_depth) {
        if (st->capturing->size)
            trim_in_place(st->capturing->value);
        st->capturing = NULL;
    }
    if (st->depth)
        st->depth--;
}

static void on_text(void *data, const char *text, int len)
{
    struct extract_state *st = data;
    struct xml_field *f = st->capturing;
    if (!f || !f->size || len <= 0)
        return;
    size_t room = f->size - 1 - st->captured;
    size_t n = (size_t)len < room ? (size_t)len : room;
    memcpy(f->value + st->captured, text, n);
    st->captured += n;
    f->value[st->captured] = '\0';
}

static void on_entity_decl(void *data, const XML_Char *name, int is_param, const XML_Char *value,
                           int value_len, const XML_Char *base, const XML_Char *system_id,
                           const XML_Char *public_id, const XML_Char *notation)
{
    struct extract_state *st = data;
    st->failed = true;
    XML_StopParser(st->parser, XML_FALSE);
}

int xml_fields_extract(const char *xml, size_t len, struct xml_field *fields, size_t n_fields,
                       char *root, size_t root_size)
{
    for (size_t i = 0; i < n_fields; i++) {
        fields[i].seen = false;
        if (fields[i].size)
            fields[i].value[0] = '\0';
    }
    if (root && root_size)
        root[0] = '\0';
    if (len > (size_t)INT32_MAX)
        return -1;
    XML_Parser parser = XML_ParserCreate(NULL);
    if (!parser)
        return -1;
    struct extract_state st = {.parser = parser,
                               .fields = fields,
                               .n_fields = n_fields,
                               .root = root_size ? root : NULL,
                               .root_size = root_size};
    XML_SetUserData(parser, &st);
    XML_SetElementHandler(parser, on_start, on_end);
    XML_SetCharacterDataHandler(parser, on_text);
    XML_SetEntityDeclHandler(parser, on_entity_decl);
    XML_SetParamEntityParsing(parser, XML_PARAM_ENTITY_PARSING_NEVER);
    enum XML_Status status = XML_Parse(parser, xml, (int)len, XML_TRUE);
    XML_ParserFree(parser);
    return status == XML_STATUS_OK && !st.failed ? 0 : -1;
}
