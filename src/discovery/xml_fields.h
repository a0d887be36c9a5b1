/* xml_fields.h — pulls the text of named elements out of a small XML
 * document (discovery replies, UPnP descriptions) with expat, ignoring
 * namespace prefixes. Bounded: every value is capped, the document is
 * parsed from a length, and entity declarations are refused. */
#ifndef CAMAUDIT_XML_FIELDS_H
#define CAMAUDIT_XML_FIELDS_H

#include <stdbool.h>
#include <stddef.h>

struct xml_field {
    const char *name; /* local name, without prefix: "DeviceSN" */
    char *value;      /* caller's buffer: text of the first such element */
    size_t size;      /* its size (value always NUL-terminated, trimmed);
                         0: only note whether the element occurs */
    bool seen;        /* the element occurred */
};

/* Parses len bytes of XML. Fills each field from the first element with its
 * local name; root gets the local name of the document element. Returns 0
 * for a well-formed document, -1 otherwise (fields may be partly filled). */
int xml_fields_extract(const char *xml, size_t len, struct xml_field *fields, size_t n_fields,
                       char *root, size_t root_size);

#endif
