/* Shared by the two sources of smsguard_plugins._cevidence: evidence.c (the signals, reading hits and offset
 * maps, the module) and evidence_cues.c (the hit groupings and the text cues).
 *
 * Each function takes a fast path for what the detectors pass (exact lists and tuples of TermHit, exact ints
 * and strs, an exact NormalizedText) and hands anything else to its Python reference, untouched: odd input gets
 * the reference's result or exception. Inputs are read before anything is allocated, or kept alive by a strong
 * reference: an allocation can start the garbage collector, whose finalizers may run any code.
 */
#ifndef SMSGUARD_EVIDENCE_H
#define SMSGUARD_EVIDENCE_H

#include "common.h"

enum {
    REF_MAKE_SIGNAL,
    REF_SPAN_SIGNAL,
    REF_BY_KIND,
    REF_RESOLVE_OVERLAPS,
    REF_INSIDE,
    REF_OCCURRENCES,
    REF_PHRASES,
    REF_CONTEXT_OF,
    REF_READER_DIRECTED,
    REF_IMPERSONATED,
    REF_NEGATED,
    N_REFS
};

/* the word lists of plugins/_cues.py, bound by bind_cues */
typedef struct {
    Py_ssize_t count;
    Py_UCS4 *chars;             /* the words one after another */
    Py_ssize_t *ends;           /* word i is chars[ends[i - 1]:ends[i]] */
    uint64_t by_first[256];     /* bit i: word i (of the first 64) starts with a character c, c % 256 == index */
} ev_words;

enum {
    W_NEGATORS, W_FAR_NEGATORS, W_CLAUSE_DENIALS, W_DENIAL, W_DENIED_ASKS, W_POSING, W_COPULAS, W_FRAUD_WORDS,
    W_CLAUSE_ENDS, W_SENTENCE_ENDS, W_NEGATOR_FIRST, W_WARNING_CHARS, N_WORDS
};
enum { N_NEAR_WINDOW, N_FAR_WINDOW, N_CLAUSE_WINDOW, N_DENIAL_GAP, N_WARNED_GAP, N_WARNED_WINDOW, N_NUMBERS };

typedef struct {
    int bound;                          /* bind_evidence was called */
    sg_record signal;
    PyTypeObject *ntext_type, *hit_type, *entry_type;
    Py_ssize_t ntext_offsets[4];        /* original, text, starts, ends */
    PyObject *plugin_of;                /* _evidence._PLUGIN_OF */
    PyObject *fuzzy_confidence;
    PyObject *refs[N_REFS];
    /* set by bind_cues */
    PyObject *cues;                     /* _cues' globals */
    ev_words words[N_WORDS];
    Py_ssize_t numbers[N_NUMBERS];
    /* constants */
    PyObject *one, *empty_tuple, *empty_str, *list_sep;
    PyObject *s_debt, *s_address, *s_request, *s_framing, *s_read, *s_context_terms, *s_context_last;
} ev_state;

extern ev_state EV;

/* What a fast path returns when the reference must answer; never dereferenced. */
extern PyObject ev_fallback_marker;
#define FALLBACK (&ev_fallback_marker)

PyObject *ev_call_reference(int which, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames);
#define OR_REFERENCE(which, result, args, nargs, kwnames) \
    ((result) == FALLBACK ? ev_call_reference((which), (args), (nargs), (kwnames)) : (result))

int ev_as_index(PyObject *o, Py_ssize_t *out);

typedef struct {
    Py_ssize_t a, b;
} ev_pair;

typedef struct {
    PyObject *entry;            /* borrowed: the snapshot holds the hit, which holds it */
    ev_pair span;
    int fuzzy;
} ev_hit;

#define EV_SMALL 16
typedef struct {
    PyObject *snapshot;         /* a tuple of the hits, a strong reference */
    Py_ssize_t n;
    ev_hit *hits;
    ev_hit small[EV_SMALL];
} ev_hits;

int ev_read_hit(PyObject *h, ev_hit *out);
int ev_read_hits(PyObject *seq, ev_hits *hs);
void ev_free_hits(ev_hits *hs);
int ev_read_nspan(PyObject *o, int exact_pair, ev_pair *out);
Py_ssize_t ev_merge(ev_pair *p, Py_ssize_t n);

enum { GROUP, RESOLVE, RESOLVE_AND_GROUP, COUNT };
/* by_kind, resolve_overlaps, by_kind(resolve_overlaps()), occurrences; FALLBACK when not all plain TermHits */
PyObject *ev_group(PyObject *hits, int what);

int ev_bind_words(PyObject *words);
void ev_clear_words(void);

PyObject *evidence_inside(PyObject *, PyObject *const *, Py_ssize_t, PyObject *);
PyObject *evidence_context_of(PyObject *, PyObject *const *, Py_ssize_t, PyObject *);
PyObject *evidence_reader_directed(PyObject *, PyObject *const *, Py_ssize_t, PyObject *);
PyObject *evidence_impersonated(PyObject *, PyObject *const *, Py_ssize_t, PyObject *);
PyObject *evidence_negated(PyObject *, PyObject *const *, Py_ssize_t, PyObject *);

#endif
