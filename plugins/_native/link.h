/* Shared by link.c (the detector) and link_names.c (the name tables and the lookalike test) of
 * smsguard_plugins._clink. */
#ifndef SMSGUARD_LINK_H
#define SMSGUARD_LINK_H

#include "common.h"

/* One row of _Lists.keywords or _Lists.spellings: (keyword, brand, needs the brand named). */
typedef struct {
    PyObject *word, *brand;     /* borrowed from the rows tuple the names table holds */
    const Py_UCS4 *chars;       /* the word's characters, in the table's pool */
    Py_ssize_t len;
    int needs_name;
    int digits, letters;        /* word.isdigit(), word.isalpha() */
} name_row;

/* The keyword and spelling rows of one _Lists, decoded for the lookalike test; rebuilt when the tuples change
 * (they do when SMSGUARD_LEXICON_PATH does). */
typedef struct {
    PyObject *keywords, *spellings;     /* strong: the tuples decoded */
    name_row *rows;                     /* the keyword rows, then the spelling rows */
    Py_ssize_t n_keywords, n_spellings;
    Py_UCS4 *pool;
} name_table;

/* 1 when ``table`` holds (keywords, spellings), decoding them if need be; 0 when they are not tuples of
 * (str, str, bool) rows (the caller hands the message to the reference); -1 with an exception set. */
int link_names_load(name_table *table, PyObject *keywords, PyObject *spellings);
void link_names_clear(name_table *table);

/* _lookalike(parts, lists, named) from the parts' subdomain and domain (exact str) and the frozenset of brands
 * named: a new reference to (brand, confidence, why) or to None; NULL with an exception set. ``prefix`` is
 * _SPELLING_PREFIX. */
PyObject *link_lookalike(const name_table *table, PyObject *subdomain, PyObject *domain, PyObject *named,
                         Py_ssize_t prefix);

/* ---- link_merge.c: the signals merged by (name, value), as _Collector merges them ---- */

typedef struct {
    int name;           /* an index in the names link_merge_signals is given */
    PyObject *value;    /* strong */
    double confidence;
    PyObject *span;     /* strong: the first span */
    PyObject *spans;    /* strong: a list of every span once a second one comes, else NULL */
    PyObject *detail;   /* strong: the first detail */
    PyObject *details;  /* strong: a dict of the details once a second one comes, else NULL */
} link_found;

typedef struct {
    link_found *found;  /* small, or PyMem memory */
    Py_ssize_t n, room;
    link_found small[8];
} link_merge;

/* link_merge_clear also makes an empty one (of a zeroed link_merge) */
void link_merge_clear(link_merge *m);
/* out.add(name, value, confidence, [span, second], detail), ``second`` NULL for one span: 0, or -1 */
int link_merge_add(link_merge *m, int name, PyObject *value, double confidence, PyObject *span, PyObject *second,
                   PyObject *detail);
/* The merged signals, Signal(names[name], value, confidence, tuple(sorted(spans)), ", ".join(details), plugin),
 * set into list[at:] (a new list with room for them): 0, or -1. */
int link_merge_signals(const link_merge *m, PyObject *list, Py_ssize_t at, const sg_record *signal,
                       PyObject *const *names, PyObject *plugin);

/* ---- link_host.c: the host's tests ---- */

/* The suffixes of a host that official_brand and _under look up: from its start and after each dot. */
typedef struct {
    PyObject *host;
    Py_ssize_t n;
    Py_ssize_t *starts;
    PyObject **made;  /* strong, NULL until asked for */
    Py_ssize_t small_starts[16];
    PyObject *small_made[16];
} link_suffixes;

int link_suffixes_init(link_suffixes *s, PyObject *host);
void link_suffixes_clear(link_suffixes *s);
/* official_brand(host) with official_domains' table: a new reference to the brand; NULL for none (*error 0) or
 * with an exception set (*error 1) */
PyObject *link_official_owner(PyObject *official, link_suffixes *s, int *error);
/* _under(host, domains): 1, 0, or -1 */
int link_under(PyObject *domains, link_suffixes *s);
/* "@" in text.split("?", 1)[0] */
int link_at_sign(PyObject *text);
/* any(label.startswith("xn--") for label in host.split(".")) or not host.isascii() */
int link_punycode(PyObject *host);

#endif
