/* Shared by the four sources of smsguard_plugins._cevidence: evidence.c (the module, the bindings),
 * evidence_signals.c (the signals, the offset maps), evidence_cues.c (the hit groupings and the text cues) and
 * evidence_index.c (reading hits, binding arguments, the proximity tests).
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

/* An exact int from 0 to PY_SSIZE_T_MAX / 4 (so sums stay in range); 0 for anything else. */
static inline int
ev_as_index(PyObject *o, Py_ssize_t *out)
{
    if (!PyLong_CheckExact(o)) {
        return 0;
    }
#if PY_VERSION_HEX < 0x030C0000
    /* an offset has one digit: read it as longobject.c reads a small value */
    if (Py_SIZE(o) == 0 || Py_SIZE(o) == 1) {
        *out = Py_SIZE(o) == 0 ? 0 : (Py_ssize_t)((PyLongObject *)o)->ob_digit[0];
        return 1;
    }
#endif
    int overflow;
    long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (overflow || v < 0 || v > PY_SSIZE_T_MAX / 4) {
        return 0;
    }
    *out = (Py_ssize_t)v;
    return 1;
}

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

/* A TermHit as the detectors make it: an Entry with str term and kind, exact ints, a bool. */
static inline int
ev_read_hit(PyObject *h, ev_hit *out)
{
    if (Py_TYPE(h) != EV.hit_type || PyTuple_GET_SIZE(h) != 4) {
        return 0;
    }
    PyObject *entry = PyTuple_GET_ITEM(h, 0), *fuzzy = PyTuple_GET_ITEM(h, 3);
    if (Py_TYPE(entry) != EV.entry_type || PyTuple_GET_SIZE(entry) != 5
        || !PyUnicode_CheckExact(PyTuple_GET_ITEM(entry, 0)) || !PyUnicode_CheckExact(PyTuple_GET_ITEM(entry, 2))
        || (fuzzy != Py_True && fuzzy != Py_False)) {
        return 0;
    }
    out->hit = h;
    out->entry = entry;
    out->fuzzy = fuzzy == Py_True;
    return ev_as_index(PyTuple_GET_ITEM(h, 1), &out->span.a) && ev_as_index(PyTuple_GET_ITEM(h, 2), &out->span.b);
}

int ev_read_hits(PyObject *seq, ev_hits *hs);
void ev_free_hits(ev_hits *hs);

/* A sequence of two exact ints (make_signal's nspans: a 2-tuple; span_signal's nspan and inside's spans: a
 * tuple or list of at least two, as indexing reads them). */
static inline int
ev_read_nspan(PyObject *o, int exact_pair, ev_pair *out)
{
    if (!(PyTuple_CheckExact(o) || (PyList_CheckExact(o) && !exact_pair))) {
        return 0;
    }
    Py_ssize_t size = PySequence_Fast_GET_SIZE(o);
    if (exact_pair ? size != 2 : size < 2) {
        return 0;
    }
    PyObject **items = PySequence_Fast_ITEMS(o);
    return ev_as_index(items[0], &out->a) && ev_as_index(items[1], &out->b);
}

/* p sorted by start, then end */
void ev_sort_pairs(ev_pair *p, Py_ssize_t n);
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
/* For keyword i of kwnames (a tuple), index[i]: its parameter in names (count of them, at most
 * N_MAKE_SIGNAL_PARAMETERS). 0 when a keyword is unknown or repeated. */
int ev_keyword_indexes(PyObject *kwnames, PyObject *const *names, int count, int *index);
int ev_intern_parameters(void);

extern PyTypeObject ev_hit_index_type;

void ev_bind_signals(void);
PyObject *evidence_make_signal(PyObject *, PyObject *const *, Py_ssize_t, PyObject *);
PyObject *evidence_span_signal(PyObject *, PyObject *const *, Py_ssize_t, PyObject *);
PyObject *evidence_inside(PyObject *, PyObject *const *, Py_ssize_t, PyObject *);
PyObject *evidence_context_of(PyObject *, PyObject *const *, Py_ssize_t, PyObject *);
PyObject *evidence_reader_directed(PyObject *, PyObject *const *, Py_ssize_t, PyObject *);
PyObject *evidence_impersonated(PyObject *, PyObject *const *, Py_ssize_t, PyObject *);
PyObject *evidence_negated(PyObject *, PyObject *const *, Py_ssize_t, PyObject *);
PyObject *evidence_near(PyObject *, PyObject *const *, Py_ssize_t, PyObject *);
PyObject *evidence_cue_before(PyObject *, PyObject *const *, Py_ssize_t, PyObject *);
PyObject *evidence_cue_after(PyObject *, PyObject *const *, Py_ssize_t, PyObject *);

#endif
