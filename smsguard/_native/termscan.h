/* Shared by the sources of smsguard._ctermscan: termscan.c (the Aho-Corasick automaton), termscan_lexicon.c (the
 * detectors' lexicon scan), termscan_terms.c (the per-message cache of plugins/_terms.py) and termscan_read.c
 * (TermSet.read).
 */
#ifndef SMSGUARD_TERMSCAN_H
#define SMSGUARD_TERMSCAN_H

#include "common.h"

#include <stdint.h>

/* ---- the automaton (termscan.c) ---- */

typedef struct {
    uint64_t key; /* state << 21 | code point */
    int32_t next;
} Edge;

typedef struct {
    Py_ssize_t start, end;
    int32_t pattern;
} Match;

typedef struct {
    Match *items;
    Py_ssize_t len, cap;
    Match local[64];
} MatchBuf;

typedef struct {
    PyObject_HEAD
    Py_ssize_t npatterns;
    int32_t *plen;     /* code points of each pattern */
    int32_t *fail;
    int32_t *out;      /* the pattern that ends at a state, or -1 */
    int32_t *out_next; /* the next state down the failure chain where a pattern ends, or -1 */
    Edge *edges;
    uint64_t edge_mask;
    int shift;
    uint32_t bmp[0x10000 / 32];   /* the BMP code points in some key */
    uint32_t first[0x10000 / 32]; /* those that begin a key */
    PyObject *ids; /* per pattern, the tuple of term ids (ints) it stands for */
} Automaton;

extern PyTypeObject ts_Automaton_Type, ts_LexiconScan_Type;

void ts_buf_init(MatchBuf *buf);
void ts_buf_free(MatchBuf *buf);

/* Every occurrence in ``text`` (a ready str), ordered by end, longest first at one end. Returns 0, or -1 with an
 * exception set. */
int ts_ac_search(const Automaton *ac, PyObject *text, MatchBuf *buf);

/* What TermMatcher.matches does before searching: 1 to search, 0 for nothing to find, -1 on error. */
int ts_wants_search(const Automaton *ac, PyObject *text);

/* Appends ``item`` to found[key], a new list when missing. Returns 0, or -1 with an exception set. */
int ts_append_to(PyObject *found, PyObject *key, PyObject *item);

/* ---- the term detectors' scan (termscan_lexicon.c) ---- */


/* LexiconScan.scan(text) as two new references, hits by lexicon (a dict) and the lexicons whose masks hit (a set).
 * Returns 0, or -1 with an exception set. */
int ts_lexicon_scan(PyObject *scan, PyObject *text, PyObject **by_lexicon, PyObject **masking);

/* The fields of plugins/_terms.py's _Message and _Scanner, in the order of their sg_record. */
enum { TS_NTEXT, TS_TEXT, TS_ENV, TS_READS, TS_MESSAGE_FIELDS };
enum { TS_COMPILED, TS_DEFAULTS, TS_LAST_MESSAGE, TS_PLAIN_KEYS, TS_SCANNER_FIELDS };

/* Terms: what plugins/_terms.py hands its C once (see termscan_terms.c). */
typedef struct {
    PyObject_HEAD
    PyObject *holder;              /* _MESSAGE */
    sg_record record;              /* _Message */
    sg_record scanner;             /* _Scanner */
    PyTypeObject *scan_type;       /* _Scan: (text, compiled, by_lexicon, masking) */
    PyTypeObject *compiled_type;   /* _Compiled */
    Py_ssize_t names_at, env_at, native_at; /* the index of these fields in a _Compiled */
    PyObject *cut;                 /* slice(None, MAX_SCAN_CHARS) */
    PyObject *name;                /* "SMSGUARD_LEXICON_PATH" */
    PyObject *os;                  /* the os module */
    PyTypeObject *environ_type;    /* os._Environ */
    PyObject *environ;             /* the os.environ that env_key was made for */
    PyObject *env_key;             /* environ.encodekey(name) */
    PyObject *fuzzy_hits;          /* _fuzzy_hits(fuzzy, text) */
    PyObject *apply_masks;         /* apply_masks(hits) */
    PyObject *by_start, *by_end;   /* itemgetter(1), itemgetter(2) */
    PyTypeObject *hit_type;        /* TermHit */
    PyTypeObject *entry_type;      /* Entry */
    PyObject *ignore;              /* IGNORE, the kind of a mask */
    Py_ssize_t entry_at, start_at, end_at, kind_at; /* TermHit.entry, .start, .end and Entry.kind */
} ts_Terms;

extern PyTypeObject ts_Terms_Type;

/* _message(ntext), a new reference. */
PyObject *ts_message(ts_Terms *terms, PyObject *ntext);

/* A field (TS_NTEXT ...) of a message, a new reference. */
PyObject *ts_message_get(ts_Terms *terms, PyObject *message, int field);

/* _Scanner.scan_message(message), a new reference. */
PyObject *ts_scan_message(ts_Terms *terms, PyObject *scanner, PyObject *message);

/* The index of a field in a NamedTuple class's _fields, or -1 with TypeError set. */
Py_ssize_t ts_field_index(PyObject *cls, const char *name);

/* ---- the hits' own steps and the wedge test (termscan_fuzzy.c) ---- */

/* Keeps in ``terms`` what the hits' steps need. Returns 0, or -1 with an exception set. */
int ts_hits_init(ts_Terms *terms, PyObject *hit_type, PyObject *entry_type, PyObject *ignore);

/* apply_masks(hits) (plugins/_termhits.py), a new reference. */
PyObject *ts_apply_masks(ts_Terms *terms, PyObject *hits);

/* hits.sort(key=hit_order): 0, or -1 with an exception set; ts_Terms_sort_hits returns None. */
int ts_sort_hits(ts_Terms *terms, PyObject *hits);
PyObject *ts_Terms_sort_hits(ts_Terms *terms, PyObject *hits);

/* Whether wedged(text) is true, with wedged the _Fuzzy.wedged of a term set: 1, 0, or -1 with an exception set. */
int ts_wedged(PyObject *wedged, PyObject *text);

/* Adds the types of termscan_terms.c and termscan_read.c to the module. Returns 0, or -1 with an exception set. */
int ts_add_terms_types(PyObject *module);
int ts_add_read_types(PyObject *module);
int ts_add_fuzzy_types(PyObject *module);

#endif
