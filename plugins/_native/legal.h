/* Shared by the two sources of smsguard_plugins._clegal: legal.c (the detector's body, bind() and the module) and
 * legal_marks.c (the court marks and the hits of the freeze pattern). See legal.c for the rules both follow.
 */
#ifndef SMSGUARD_LEGAL_H
#define SMSGUARD_LEGAL_H

#include "detector.h"

#include <stdint.h>

/* the objects bind() takes, by keyword */
enum {
    O_REFERENCE, O_READ, O_NTEXT, O_FEATURES, O_TEXT_FEATURE, O_LINK, O_HIT, O_ENTRY,
    O_THREATS, O_THREAT_SIGNALS, O_FREEZE, O_FREEZE_ENTRY, O_ORDER, O_POSING,
    O_COURT_HOST, O_COURT_TAIL, O_COURT_TAIL_WINDOW, O_COURT_SIGNATURE,
    O_RESOLVE_OVERLAPS, O_INSIDE, O_IMPERSONATED, O_CONTEXT_OF, O_READER_DIRECTED, O_BY_KIND,
    O_MAKE_SIGNAL, O_SPAN_SIGNAL, O_PHRASES, O_OCCURRENCES, N_OBJECTS
};

/* slots read directly: NormalizedText.text, Features.links/signatures/case_numbers, TextFeature.value/nspan,
 * Link.host/nspan */
enum { S_TEXT, S_LINKS, S_SIGNATURES, S_CASE_NUMBERS, S_VALUE, S_NSPAN, S_HOST, S_LINK_NSPAN, N_SLOTS };

/* and the object bind() makes: the words of the posing pattern when it is plain words (see legal.c), or NULL */
enum { O_POSING_WORDS = N_OBJECTS, N_HELD };

typedef struct {
    dt_head head;
    PyObject *o[N_HELD];        /* strong references, by the enums above */
    Py_ssize_t at[N_SLOTS];     /* the slots' offsets in their records (of the exact classes bound) */
    Py_ssize_t tail_window;     /* court_tail_window */
    int tail_prechecked;        /* court_tail is the pattern may_end_with_a_court was written for */
    uint64_t posing_firsts;     /* the first characters of the posing words, as bits (c % 64) */
} Detector;

/* a slot of a record of the exact class bound: NULL when unset */
#define SLOT(obj, d, which) DT_SLOT((obj), (d)->at[which])

/* the words of the body, interned */
enum {
    W_FREEZE, W_COURT, W_PEOPLES_COURT, W_SCARE, W_CREDIT_RECORD, W_COURT_CHANNEL, W_SCARE_ONLY, W_TERM_COUNT,
    W_CASE_NUMBER, W_COURT_CHANNEL_SIGNAL, W_COURT_SIGNATURE, W_SEARCH, W_FINDITER, W_SPAN, W_GROUP, W_SORT, W_SEP,
    N_WORDS
};
extern PyObject *lg_words[N_WORDS];
/* keyword names of the calls: (value,), (key,), (nspans, value, detail) */
extern PyObject *lg_kw_value, *lg_kw_key, *lg_kw_marks, *lg_one, *lg_empty_tuple;

/* the term of a plain TermHit (legal.c checks each hit it reads) */
#define TERM_OF(h) PyTuple_GET_ITEM(DT_ENTRY(h), 0)

PyObject *lg_call(const Detector *d, int which, PyObject *a, PyObject *b);
int lg_search(PyObject *pattern, PyObject *text, PyObject *pos, PyObject **match);
int lg_append_new(PyObject *list, PyObject *item);
int lg_add_signal(const Detector *d, PyObject *signals, PyObject *name, PyObject *text, PyObject *hits,
                  PyObject *kwnames, PyObject *const *values);
int lg_add_span_signal(const Detector *d, PyObject *signals, PyObject *name, PyObject *text, PyObject *nspan,
                       PyObject *value);
int lg_court_marks(const Detector *d, PyObject *signals, PyObject *text, PyObject *features, PyObject *channel);
PyObject *lg_with_freeze_hits(const Detector *d, PyObject *t, PyObject *hits);

#endif
