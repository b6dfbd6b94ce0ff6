/* Shared by the three sources of smsguard_plugins._cevidence: evidence.c (the signals, the offset maps, the
 * module), evidence_cues.c (the hit groupings and the text cues) and evidence_index.c (reading hits, binding
 * arguments, the proximity tests).
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
    REF_HIT_INDEX,
    REF_CUE_BEFORE,
    REF_CUE_AFTER,
    REF_NEAR,
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
    W_CLAUSE_ENDS, W_SENTENCE_ENDS, W_NEGATOR_FIRST, W_WARNING_CHARS, W_CLAUSE_MARKS, N_WORDS
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
    PyObject *hit;              /* borrowed: the hits hold it */
    PyObject *entry;            /* borrowed: the hit holds it */
    ev_pair span;
    int fuzzy;
} ev_hit;

#define EV_SMALL 16
typedef struct {
    PyObject *snapshot;         /* a tuple of the hits, a strong reference; or NULL */
    int held;                   /* without a snapshot: each hit[i].hit is a strong reference */
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

/* A str as the cues read it */
typedef struct {
    int kind;
    const void *data;
    Py_ssize_t length;
} ev_text;
#define EV_TEXT_OF(o) {PyUnicode_KIND(o), PyUnicode_DATA(o), PyUnicode_GET_LENGTH(o)}

/* whether t[lo:hi] holds a character of the class chars (words of one character each) */
int ev_any_in(const ev_words *chars, const ev_text *t, Py_ssize_t lo, Py_ssize_t hi);

/* The parameter names of the functions that take keywords, interned, in the order of their signatures. */
enum { N_MAKE_SIGNAL_PARAMETERS = 7, N_SPAN_SIGNAL_PARAMETERS = 5, N_CUE_PARAMETERS = 5 };
extern PyObject *ev_make_signal_parameters[N_MAKE_SIGNAL_PARAMETERS];
extern PyObject *ev_span_signal_parameters[N_SPAN_SIGNAL_PARAMETERS];
extern PyObject *ev_cue_parameters[N_CUE_PARAMETERS];    /* cue_before, cue_after */
extern PyObject *ev_near_parameters[N_CUE_PARAMETERS];

/* Binds the arguments of a vectorcall to the parameters names (count of them) as Python binds them: out[k] is
 * the value of parameter k, NULL where none is given (out must start all NULL). 0 when an argument is too many,
 * unknown or given twice: the reference then raises. Keywords are matched by identity first. */
int ev_bind_arguments(PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames, PyObject *const *names,
                      int count, PyObject **out);
int ev_intern_parameters(void);

extern PyTypeObject ev_hit_index_type;

PyObject *evidence_inside(PyObject *, PyObject *const *, Py_ssize_t, PyObject *);
PyObject *evidence_context_of(PyObject *, PyObject *const *, Py_ssize_t, PyObject *);
PyObject *evidence_reader_directed(PyObject *, PyObject *const *, Py_ssize_t, PyObject *);
PyObject *evidence_impersonated(PyObject *, PyObject *const *, Py_ssize_t, PyObject *);
PyObject *evidence_negated(PyObject *, PyObject *const *, Py_ssize_t, PyObject *);
PyObject *evidence_near(PyObject *, PyObject *const *, Py_ssize_t, PyObject *);
PyObject *evidence_cue_before(PyObject *, PyObject *const *, Py_ssize_t, PyObject *);
PyObject *evidence_cue_after(PyObject *, PyObject *const *, Py_ssize_t, PyObject *);

#endif
