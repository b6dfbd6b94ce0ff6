/* The specificity detector's body in C (smsguard_plugins._cspecificity): detect_reference of
 * plugins/specificity.py, step for step, on the objects bind() is handed once: the term set's read, the compiled
 * patterns, the records' classes and the shared helpers (span_signal, make_signal, number_value).
 *
 * The patterns run as in Python. The one thing the C adds is a pre-check: every match of _OVERDUE_AFTER opens
 * with one of the overdue words and every match of _TAIL with one of the tail words, so a text without them is
 * not searched; one pass over the text looks for those words and for 未还/未归还, the Python's own pre-check of
 * _OVERDUE_BEFORE.
 *
 * The pipeline's input (an exact Features of exact tuples of exact records with str values and int spans, plain
 * TermHits) takes the C path; anything else goes to the Python reference before anything is called but the term
 * set's read, which the reference repeats and which gives the same result for the same message.
 */
#include "detector.h"
#include "specificity_words.h"

#define SMALL 16

enum { G_OVERDUE, G_TAIL, G_UNPAID, N_GROUPS };
/* the signals, in the order of _SPECS */
enum { SIG_AMOUNT, SIG_DUE_DATE, SIG_DAYS_OVERDUE, SIG_CARD_TAIL, SIG_SIGNATURE, SIG_CHANNEL, N_SIGNALS };
enum { T_FEATURES, T_AMOUNT, T_TEXT_FEATURE, T_HIT, T_ENTRY, N_TYPES };
/* the slots read, by the offsets of their member descriptors */
enum { F_AMOUNTS, F_DATES, F_SIGNATURES, F_PHONES, A_YUAN, A_TEXT, A_NSPAN, TF_VALUE, TF_NSPAN, N_SLOTS };
static const struct {
    int type;
    const char *name;
} SLOTS[N_SLOTS] = {
    {T_FEATURES, "amounts"}, {T_FEATURES, "dates"}, {T_FEATURES, "signatures"}, {T_FEATURES, "phones"},
    {T_AMOUNT, "yuan"}, {T_AMOUNT, "text"}, {T_AMOUNT, "nspan"}, {T_TEXT_FEATURE, "value"},
    {T_TEXT_FEATURE, "nspan"},
};

typedef struct {
    PyObject *reference, *read, *span_signal, *make_signal, *number_value;
    /* the patterns' bound search and match methods */
    PyObject *overdue_after, *overdue_before, *tail, *due_after, *due_before, *hotline;
    PyObject *match_span, *match_start;     /* re.Match.span and re.Match.start */
    PyObject *names[N_SIGNALS];
    PyObject *list_sep, *month, *calendar_chars, *days_per_month, *channel_kwnames;
    PyTypeObject *types[N_TYPES];
    Py_ssize_t offsets[N_SLOTS];
    Py_ssize_t due_window;
    word_table words;
} state;

static state S;
static PyObject *ints[3], *empty_str;     /* 0, 1, 2 and "" */

static void
state_clear(void *p)
{
    state *s = p;
    PyObject **objects[] = {
        &s->reference, &s->read, &s->span_signal, &s->make_signal, &s->number_value, &s->overdue_after,
        &s->overdue_before, &s->tail, &s->due_after, &s->due_before, &s->hotline, &s->match_span,
        &s->match_start, &s->list_sep, &s->month, &s->calendar_chars, &s->days_per_month, &s->channel_kwnames,
    };
    for (size_t i = 0; i < sizeof(objects) / sizeof(objects[0]); i++) {
        Py_CLEAR(*objects[i]);
    }
    for (int i = 0; i < N_SIGNALS; i++) {
        Py_CLEAR(s->names[i]);
    }
    for (int i = 0; i < N_TYPES; i++) {
        Py_CLEAR(s->types[i]);
    }
    wt_clear(&s->words);
}

#define SLOT(o, which) DT_SLOT((o), S.offsets[which])

/* The term of a plain TermHit (borrowed), or NULL. */
static PyObject *
hit_term(PyObject *h)
{
    PyObject *entry = dt_plain_entry(S.types[T_HIT], S.types[T_ENTRY], h);
    return entry != NULL && PyUnicode_CheckExact(PyTuple_GET_ITEM(entry, 0)) ? PyTuple_GET_ITEM(entry, 0) : NULL;
}

/* A record of exact class ``type`` whose slots ``first``..``last`` are set. */
static int
plain_record(PyObject *o, int type, int first, int last)
{
    if (Py_TYPE(o) != S.types[type]) {
        return 0;
    }
    for (int i = first; i <= last; i++) {
        if (SLOT(o, i) == NULL) {
            return 0;
        }
    }
    return 1;
}

/* Whether the features are as extraction makes them (see the top of the file): 1, or 0. */
static int
plain_features(PyObject *features)
{
    if (Py_TYPE(features) != S.types[T_FEATURES]) {
        return 0;
    }
    for (int i = F_AMOUNTS; i <= F_PHONES; i++) {
        if (SLOT(features, i) == NULL || !PyTuple_CheckExact(SLOT(features, i))) {
            return 0;
        }
    }
    PyObject *amounts = SLOT(features, F_AMOUNTS), *dates = SLOT(features, F_DATES);
    PyObject *signatures = SLOT(features, F_SIGNATURES), *phones = SLOT(features, F_PHONES);
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(amounts); i++) {
        PyObject *a = PyTuple_GET_ITEM(amounts, i);
        if (!plain_record(a, T_AMOUNT, A_YUAN, A_NSPAN) || !PyUnicode_CheckExact(SLOT(a, A_TEXT))) {
            return 0;
        }
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(dates); i++) {
        PyObject *d = PyTuple_GET_ITEM(dates, i), *nspan;
        Py_ssize_t unused;
        if (!plain_record(d, T_TEXT_FEATURE, TF_VALUE, TF_NSPAN) || !PyUnicode_CheckExact(SLOT(d, TF_VALUE))
            || !PyUnicode_IS_READY(SLOT(d, TF_VALUE))
            || !PyTuple_CheckExact(nspan = SLOT(d, TF_NSPAN)) || PyTuple_GET_SIZE(nspan) != 2
            || !dt_as_index(PyTuple_GET_ITEM(nspan, 0), &unused) || !dt_as_index(PyTuple_GET_ITEM(nspan, 1), &unused)) {
            return 0;
        }
    }
    if (PyTuple_GET_SIZE(signatures) > 0
        && !plain_record(PyTuple_GET_ITEM(signatures, 0), T_TEXT_FEATURE, TF_VALUE, TF_NSPAN)) {
        return 0;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(phones); i++) {
        PyObject *p = PyTuple_GET_ITEM(phones, i);
        if (!plain_record(p, T_TEXT_FEATURE, TF_VALUE, TF_NSPAN) || !PyUnicode_CheckExact(SLOT(p, TF_VALUE))) {
            return 0;
        }
    }
    return 1;
}

/* span_signal(names[which], ntext, nspan, value, detail); steals nothing */
static int
append_span_signal(PyObject *signals, int which, PyObject *ntext, PyObject *nspan, PyObject *value,
                   PyObject *detail)
{
    PyObject *args[5] = {S.names[which], ntext, nspan, value, detail};
    return dt_append_call(signals, S.span_signal, args, 5, NULL);
}

/* "、".join(dict.fromkeys(items)) for n exact strs */
static PyObject *
distinct_join(PyObject *const *items, Py_ssize_t n)
{
    PyObject *distinct = PyList_New(0), *seen = n > SMALL ? PySet_New(NULL) : NULL;
    if (distinct == NULL || (n > SMALL && seen == NULL)) {
        Py_XDECREF(distinct);
        return NULL;
    }
    for (Py_ssize_t i = 0; distinct != NULL && i < n; i++) {
        int found = 0;
        if (seen != NULL) {
            found = PySet_Contains(seen, items[i]);
        }
        else {
            for (Py_ssize_t j = 0; !found && j < PyList_GET_SIZE(distinct); j++) {
                PyObject *other = PyList_GET_ITEM(distinct, j);
                found = other == items[i] || PyUnicode_Compare(other, items[i]) == 0;
            }
        }
        if (found < 0
            || (!found && (PyList_Append(distinct, items[i]) < 0 || (seen && PySet_Add(seen, items[i]) < 0)))) {
            Py_CLEAR(distinct);
        }
    }
    Py_XDECREF(seen);
    if (distinct == NULL) {
        return NULL;
    }
    PyObject *joined = PyUnicode_Join(S.list_sep, distinct);
    Py_DECREF(distinct);
    return joined;
}

/* _CALENDAR.search(value) is not None: the pattern is the class of the calendar characters */
static int
calendar(PyObject *value)
{
    PyObject *chars = S.calendar_chars;
    int kind = PyUnicode_KIND(value);
    const void *data = PyUnicode_DATA(value);
    for (Py_ssize_t i = 0; i < PyUnicode_GET_LENGTH(value); i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        for (Py_ssize_t j = 0; j < PyUnicode_GET_LENGTH(chars); j++) {
            if (PyUnicode_READ_CHAR(chars, j) == c) {
                return 1;
            }
        }
    }
    return 0;
}

/* The due date: the first calendar date with a due word after it, or before it within due_window. A new
 * reference to the record (borrowed from dates), Py_None, or NULL with an exception set. */
static PyObject *
due_date(PyObject *dates, PyObject *t)
{
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(dates); i++) {
        PyObject *d = PyTuple_GET_ITEM(dates, i), *nspan = SLOT(d, TF_NSPAN), *m;
        if (!calendar(SLOT(d, TF_VALUE))) {
            continue;
        }
        PyObject *args[3] = {t, PyTuple_GET_ITEM(nspan, 1), NULL};
        if ((m = PyObject_Vectorcall(S.due_after, args, 2, NULL)) == NULL) {
            return NULL;
        }
        if (m == Py_None) {
            Py_DECREF(m);
            Py_ssize_t start = 0;
            dt_as_index(PyTuple_GET_ITEM(nspan, 0), &start);   /* checked by plain_features */
            PyObject *lo = PyLong_FromSsize_t(start > S.due_window ? start - S.due_window : 0);
            if (lo == NULL) {
                return NULL;
            }
            args[1] = lo;
            args[2] = PyTuple_GET_ITEM(nspan, 0);
            m = PyObject_Vectorcall(S.due_before, args, 3, NULL);
            Py_DECREF(lo);
            if (m == NULL) {
                return NULL;
            }
        }
        int due = m != Py_None;
        Py_DECREF(m);
        if (due) {
            return Py_NewRef(d);
        }
    }
    Py_RETURN_NONE;
}

/* _overdue(t): a new reference to the match or to None, or NULL */
static PyObject *
overdue(PyObject *t, unsigned found)
{
    PyObject *after = found & (1u << G_OVERDUE) ? PyObject_CallOneArg(S.overdue_after, t) : Py_NewRef(Py_None);
    if (after == NULL || !(found & (1u << G_UNPAID))) {
        return after;
    }
    PyObject *before = PyObject_CallOneArg(S.overdue_before, t);
    if (before == NULL) {
        Py_DECREF(after);
        return NULL;
    }
    int earlier = before != Py_None;
    if (earlier && after != Py_None) {
        PyObject *a = PyObject_CallOneArg(S.match_start, after);
        PyObject *b = a == NULL ? NULL : PyObject_CallOneArg(S.match_start, before);
        earlier = b == NULL ? -1 : PyObject_RichCompareBool(b, a, Py_LT);
        Py_XDECREF(a);
        Py_XDECREF(b);
    }
    if (earlier < 0) {
        Py_DECREF(after);
        Py_DECREF(before);
        return NULL;
    }
    Py_DECREF(earlier ? after : before);
    return earlier ? before : after;
}

/* The days-overdue signal of the match m: number_value(m[1]) * (days_per_month if month in m[2] else 1) */
static int
append_days_overdue(PyObject *signals, PyObject *ntext, PyObject *m)
{
    PyObject *number = PyObject_GetItem(m, ints[1]), *unit = NULL, *value = NULL, *days = NULL, *span = NULL;
    int rc = -1, month;
    if (number == NULL || (unit = PyObject_GetItem(m, ints[2])) == NULL
        || (value = PyObject_CallOneArg(S.number_value, number)) == NULL
        || (month = PySequence_Contains(unit, S.month)) < 0
        || (days = PyNumber_Multiply(value, month ? S.days_per_month : ints[1])) == NULL
        || (span = PyObject_CallOneArg(S.match_span, m)) == NULL) {
        goto done;
    }
    rc = append_span_signal(signals, SIG_DAYS_OVERDUE, ntext, span, days, empty_str);
done:
    Py_XDECREF(number);
    Py_XDECREF(unit);
    Py_XDECREF(value);
    Py_XDECREF(days);
    Py_XDECREF(span);
    return rc;
}

/* The card-tail signal of the match m */
static int
append_tail(PyObject *signals, PyObject *ntext, PyObject *m)
{
    PyObject *tail = PyObject_GetItem(m, ints[1]), *span = tail == NULL ? NULL : PyObject_CallOneArg(S.match_span, m);
    int rc = span == NULL ? -1 : append_span_signal(signals, SIG_CARD_TAIL, ntext, span, tail, empty_str);
    Py_XDECREF(tail);
    Py_XDECREF(span);
    return rc;
}

/* The official channel: the channel hits and the hotlines among the phones. */
static int
append_channel(PyObject *signals, PyObject *ntext, PyObject *channels, PyObject *phones)
{
    PyObject *nspans = PyList_New(0), *values = PyList_New(0), *hits = NULL, *joined = NULL;
    PyObject *small[SMALL], **names = NULL;
    int rc = -1;
    if (nspans == NULL || values == NULL) {
        goto done;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(phones); i++) {
        PyObject *p = PyTuple_GET_ITEM(phones, i), *m = PyObject_CallOneArg(S.hotline, SLOT(p, TF_VALUE));
        if (m == NULL) {
            goto done;
        }
        int hotline = m != Py_None;
        Py_DECREF(m);
        if (hotline && (PyList_Append(nspans, SLOT(p, TF_NSPAN)) < 0 || PyList_Append(values, SLOT(p, TF_VALUE)) < 0)) {
            goto done;
        }
    }
    /* the terms are read from a snapshot of the hits, which keeps them alive */
    if ((hits = PyList_AsTuple(channels)) == NULL) {
        goto done;
    }
    Py_ssize_t n_hits = PyTuple_GET_SIZE(hits), n = n_hits + PyList_GET_SIZE(values);
    if (n == 0) {
        rc = 0;
        goto done;
    }
    if ((names = n <= SMALL ? small : PyMem_New(PyObject *, n)) == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < n_hits; i++) {
        if ((names[i] = hit_term(PyTuple_GET_ITEM(hits, i))) == NULL) {
            PyErr_SetString(PyExc_RuntimeError, "specificity: the term hits changed during detection");
            goto done;
        }
    }
    for (Py_ssize_t i = n_hits; i < n; i++) {
        names[i] = PyList_GET_ITEM(values, i - n_hits);
    }
    if ((joined = distinct_join(names, n)) == NULL) {
        goto done;
    }
    PyObject *args[6] = {S.names[SIG_CHANNEL], ntext, channels, nspans, joined, joined};
    PyObject *signal = PyObject_Vectorcall(S.make_signal, args, 3, S.channel_kwnames);
    if (signal != NULL) {
        rc = PyList_Append(signals, signal);
        Py_DECREF(signal);
    }
done:
    if (names != NULL && names != small) {
        PyMem_Free(names);
    }
    Py_XDECREF(nspans);
    Py_XDECREF(values);
    Py_XDECREF(hits);
    Py_XDECREF(joined);
    return rc;
}

static PyObject *
specificity_detect(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    if (S.reference == NULL || nargs != 3 || kwnames != NULL || !plain_features(args[2])) {
        goto reference;
    }
    PyObject *ntext = args[1], *features = args[2];
    PyObject *t, *channels, *read = dt_read(S.read, ntext, &t, &channels);
    if (read == NULL) {
        return NULL;
    }
    if (t == NULL || !PyUnicode_IS_READY(t)) {
        Py_DECREF(read);
        goto reference;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(channels); i++) {
        if (hit_term(PyList_GET_ITEM(channels, i)) == NULL) {
            Py_DECREF(read);
            goto reference;
        }
    }
    /* strong references: the records stay in the tuples, and the tuples in the features, all frozen */
    PyObject *amounts = Py_NewRef(SLOT(features, F_AMOUNTS)), *dates = Py_NewRef(SLOT(features, F_DATES));
    PyObject *signatures = Py_NewRef(SLOT(features, F_SIGNATURES)), *phones = Py_NewRef(SLOT(features, F_PHONES));
    PyObject *signals = PyList_New(0), *item = NULL, *detail = NULL;
    if (signals == NULL) {
        goto error;
    }
    if (PyTuple_GET_SIZE(amounts) > 0) {
        Py_ssize_t n = PyTuple_GET_SIZE(amounts);
        PyObject *texts = PyList_New(n);
        for (Py_ssize_t i = 0; texts != NULL && i < n; i++) {
            PyList_SET_ITEM(texts, i, Py_NewRef(SLOT(PyTuple_GET_ITEM(amounts, i), A_TEXT)));
        }
        detail = texts == NULL ? NULL : PyUnicode_Join(S.list_sep, texts);
        Py_XDECREF(texts);
        PyObject *first = PyTuple_GET_ITEM(amounts, 0);
        if (detail == NULL
            || append_span_signal(signals, SIG_AMOUNT, ntext, SLOT(first, A_NSPAN), SLOT(first, A_YUAN), detail) < 0) {
            goto error;
        }
        Py_CLEAR(detail);
    }
    if (PyTuple_GET_SIZE(dates) > 0) {
        if ((item = due_date(dates, t)) == NULL) {
            goto error;
        }
        if (item != Py_None
            && append_span_signal(signals, SIG_DUE_DATE, ntext, SLOT(item, TF_NSPAN), SLOT(item, TF_VALUE), empty_str)
                   < 0) {
            goto error;
        }
        Py_CLEAR(item);
    }
    unsigned found = wt_found(&S.words, t, (1u << N_GROUPS) - 1);
    if ((item = overdue(t, found)) == NULL || (item != Py_None && append_days_overdue(signals, ntext, item) < 0)) {
        goto error;
    }
    Py_CLEAR(item);
    if (found & (1u << G_TAIL)) {
        if ((item = PyObject_CallOneArg(S.tail, t)) == NULL
            || (item != Py_None && append_tail(signals, ntext, item) < 0)) {
            goto error;
        }
        Py_CLEAR(item);
    }
    if (PyTuple_GET_SIZE(signatures) > 0) {
        PyObject *first = PyTuple_GET_ITEM(signatures, 0);
        if (append_span_signal(signals, SIG_SIGNATURE, ntext, SLOT(first, TF_NSPAN), SLOT(first, TF_VALUE), empty_str)
            < 0) {
            goto error;
        }
    }
    if ((PyList_GET_SIZE(channels) > 0 || PyTuple_GET_SIZE(phones) > 0)
        && append_channel(signals, ntext, channels, phones) < 0) {
        goto error;
    }
    goto done;
error:
    Py_CLEAR(signals);
done:
    Py_XDECREF(item);
    Py_XDECREF(detail);
    Py_DECREF(amounts);
    Py_DECREF(dates);
    Py_DECREF(signatures);
    Py_DECREF(phones);
    Py_DECREF(read);
    return signals;
reference:
    return dt_call_reference(S.reference, args, nargs, kwnames);
}

/* ---- binding ---- */

static int
bind_words(word_table *w, PyObject *tables)
{
    static const char *const keys[N_GROUPS] = {"overdue_words", "tail_words", "unpaid_words"};
    for (int g = 0; g < N_GROUPS; g++) {
        PyObject *words = dt_table(tables, keys[g]);
        if (words == NULL || wt_add(w, words, g, keys[g]) < 0) {
            return -1;
        }
    }
    return 0;
}

static int
bind_state(void *p, PyObject *reference, PyObject *tables)
{
    state *s = p;
    static const char *const callables[] = {"read", "span_signal", "make_signal", "number_value"};
    PyObject **callable_slots[] = {&s->read, &s->span_signal, &s->make_signal, &s->number_value};
    static const char *const patterns[][2] = {
        {"overdue_after", "search"}, {"overdue_before", "search"}, {"tail", "search"},
        {"due_after", "match"}, {"due_before", "search"}, {"hotline", "match"},
    };
    PyObject **pattern_slots[] = {&s->overdue_after, &s->overdue_before, &s->tail, &s->due_after, &s->due_before,
                                  &s->hotline};
    s->reference = Py_NewRef(reference);
    for (size_t i = 0; i < sizeof(callables) / sizeof(callables[0]); i++) {
        PyObject *f = dt_table(tables, callables[i]);
        if (f == NULL) {
            return -1;
        }
        *callable_slots[i] = Py_NewRef(f);
    }
    for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
        if ((*pattern_slots[i] = dt_table_attr(tables, patterns[i][0], patterns[i][1])) == NULL) {
            return -1;
        }
    }
    if ((s->match_span = dt_table_attr(tables, "match_type", "span")) == NULL
        || (s->match_start = dt_table_attr(tables, "match_type", "start")) == NULL) {
        return -1;
    }
    PyObject *names = dt_table(tables, "names"), *types = dt_table(tables, "types"), *window;
    if (names == NULL || types == NULL || (window = dt_table(tables, "due_window")) == NULL) {
        return -1;
    }
    if (!PyTuple_CheckExact(names) || PyTuple_GET_SIZE(names) != N_SIGNALS) {
        PyErr_Format(PyExc_TypeError, "bind: names must be a tuple of the %d signal names", N_SIGNALS);
        return -1;
    }
    for (int i = 0; i < N_SIGNALS; i++) {
        if (!PyUnicode_CheckExact(PyTuple_GET_ITEM(names, i))) {
            PyErr_SetString(PyExc_TypeError, "bind: a signal name is not a str");
            return -1;
        }
        s->names[i] = Py_NewRef(PyTuple_GET_ITEM(names, i));
    }
    if (!PyTuple_CheckExact(types) || PyTuple_GET_SIZE(types) != N_TYPES) {
        PyErr_SetString(PyExc_TypeError, "bind: types must be (Features, Amount, TextFeature, TermHit, Entry)");
        return -1;
    }
    for (int i = 0; i < N_TYPES; i++) {
        if (!PyType_Check(PyTuple_GET_ITEM(types, i))) {
            PyErr_SetString(PyExc_TypeError, "bind: types must be classes");
            return -1;
        }
        s->types[i] = (PyTypeObject *)Py_NewRef(PyTuple_GET_ITEM(types, i));
    }
    if (!PyType_IsSubtype(s->types[T_HIT], &PyTuple_Type) || !PyType_IsSubtype(s->types[T_ENTRY], &PyTuple_Type)) {
        PyErr_SetString(PyExc_TypeError, "bind: TermHit and Entry must be tuples");
        return -1;
    }
    for (int i = 0; i < N_SLOTS; i++) {
        if (dt_slot_offset((PyObject *)s->types[SLOTS[i].type], SLOTS[i].name, &s->offsets[i]) < 0) {
            return -1;
        }
    }
    if ((s->due_window = PyLong_AsSsize_t(window)) < 0) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_ValueError, "bind: due_window must not be negative");
        }
        return -1;
    }
    static const char *const strs[] = {"month", "list_sep", "calendar_chars"};
    PyObject **str_slots[] = {&s->month, &s->list_sep, &s->calendar_chars};
    for (int i = 0; i < 3; i++) {
        PyObject *o = dt_table(tables, strs[i]);
        if (o == NULL) {
            return -1;
        }
        if (!PyUnicode_CheckExact(o) || PyUnicode_READY(o) < 0) {
            if (!PyErr_Occurred()) {
                PyErr_Format(PyExc_TypeError, "bind: %s must be a str", strs[i]);
            }
            return -1;
        }
        *str_slots[i] = Py_NewRef(o);
    }
    PyObject *days = dt_table(tables, "days_per_month");
    if (days == NULL) {
        return -1;
    }
    s->days_per_month = Py_NewRef(days);
    if ((s->channel_kwnames = Py_BuildValue("(NNN)", PyUnicode_InternFromString("nspans"),
                                             PyUnicode_InternFromString("value"),
                                             PyUnicode_InternFromString("detail"))) == NULL) {
        return -1;
    }
    return bind_words(&s->words, tables);
}

static PyObject *
specificity_bind(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    state fresh;
    return dt_bind_state(module, args, nargs, &S, &fresh, sizeof(state), bind_state, state_clear);
}

static PyMethodDef specificity_methods[] = {
    {"detect", (PyCFunction)(void (*)(void))specificity_detect, METH_FASTCALL | METH_KEYWORDS,
     "detect(message, text, features): the specificity detector's signals (see plugins/specificity.py)"},
    {"bind", (PyCFunction)(void (*)(void))specificity_bind, METH_FASTCALL,
     "bind(reference, tables): hand the detector its Python reference and tables; returns detect"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef specificity_module = {
    PyModuleDef_HEAD_INIT, "smsguard_plugins._cspecificity",
    "The specificity detector's body in C (see plugins/specificity.py).", -1, specificity_methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__cspecificity(void)
{
    for (int i = 0; i < 3; i++) {
        if ((ints[i] = PyLong_FromLong(i)) == NULL) {
            return NULL;
        }
    }
    if ((empty_str = PyUnicode_New(0, 0)) == NULL) {
        return NULL;
    }
    return PyModule_Create(&specificity_module);
}
