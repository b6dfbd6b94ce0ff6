/* The urgency detector's body in C (smsguard_plugins._curgency): detect_reference of plugins/urgency.py, step
 * for step, on the objects bind() is handed once: the term set's read, the two deadline patterns, the records'
 * classes and the shared helpers (make_signal, number_value).
 *
 * The patterns run as in Python, behind the Python's own pre-check (a span needs 内, a day 内 or 前), and each
 * search starts where the C finds its first possible match (see within_from; every match of _BY_DAY opens with a
 * day word), which gives the same match as a search from the Python's start; a text with no such place is not
 * searched (see specificity_words.h for the scans).
 *
 * Plain TermHits whose weight is a short run of decimal digits (or no digits) take the C path; any other hit goes
 * to the Python reference before anything is called but the term set's read, which the reference repeats and
 * which gives the same result for the same message.
 */
#include "urgency.h"


static state S;
static PyObject *ints[3], *empty_str;     /* 0, 1, 2 and "" */

/* ---- the hits ---- */

typedef struct {
    PyObject *term;     /* borrowed from the snapshot of the hits */
    long long weight;
    int final;
} hit;

/* A plain TermHit, its weight (_weight of its attributes) and whether it is a last notice: 1, or 0. */
static int
read_hit(PyObject *h, hit *out)
{
    PyObject *entry = dt_plain_entry(S.hit_type, S.entry_type, h);
    if (entry == NULL) {
        return 0;
    }
    PyObject *term = PyTuple_GET_ITEM(entry, 0), *kind = PyTuple_GET_ITEM(entry, 2), *attrs = PyTuple_GET_ITEM(entry, 3);
    if (!PyUnicode_CheckExact(term) || !PyUnicode_CheckExact(kind) || !PyTuple_CheckExact(attrs)) {
        return 0;
    }
    out->term = term;
    out->final = PyUnicode_Compare(kind, S.final) == 0;
    out->weight = 1;
    if (PyTuple_GET_SIZE(attrs) == 0) {
        return 1;
    }
    PyObject *first = PyTuple_GET_ITEM(attrs, 0);
    if (!PyUnicode_CheckExact(first) || !PyUnicode_IS_READY(first)) {
        return 0;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(first);
    int kind_ = PyUnicode_KIND(first), decimal = 1;
    const void *data = PyUnicode_DATA(first);
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind_, data, i);
        if (!Py_UNICODE_ISDIGIT(c)) {
            return 1;   /* not str.isdigit(): weight 1 */
        }
        decimal &= Py_UNICODE_ISDECIMAL(c) != 0;
    }
    if (n == 0) {
        return 1;
    }
    if (!decimal || n > MAX_WEIGHT_DIGITS) {
        return 0;   /* int() of it raises, or it is long: the reference's */
    }
    long long weight = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        weight = weight * 10 + Py_UNICODE_TODECIMAL(PyUnicode_READ(kind_, data, i));
    }
    out->weight = weight;
    return 1;
}

/* sum({h.term: weight(h) for h in hits}.values()): each distinct term counted once, with its last weight */
static int
weight_sum(const hit *hits, Py_ssize_t n, long long *out)
{
    long long sum = 0;
    if (n <= SMALL) {
        for (Py_ssize_t i = 0; i < n; i++) {
            Py_ssize_t j = i + 1;
            while (j < n && hits[j].term != hits[i].term && PyUnicode_Compare(hits[j].term, hits[i].term) != 0) {
                j++;
            }
            sum += j == n ? hits[i].weight : 0;
        }
        *out = sum;
        return 0;
    }
    PyObject *last = PyDict_New();   /* term -> index of its last hit */
    for (Py_ssize_t i = 0; last != NULL && i < n; i++) {
        PyObject *index = PyLong_FromSsize_t(i);
        if (index == NULL || PyDict_SetItem(last, hits[i].term, index) < 0) {
            Py_CLEAR(last);
        }
        Py_XDECREF(index);
    }
    if (last == NULL) {
        return -1;
    }
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    while (PyDict_Next(last, &pos, &key, &value)) {
        sum += hits[PyLong_AsSsize_t(value)].weight;
    }
    Py_DECREF(last);
    *out = sum;
    return 0;
}

/* ---- the deadlines ---- */

typedef struct {
    PyObject *match, *span;     /* strong references; span is match.span() */
    Py_ssize_t start, end;
    int day;
} deadline;

typedef struct {
    Py_ssize_t n, allocated;
    deadline *items;
    deadline small[4];
} deadlines;

static void
deadlines_clear(deadlines *d)
{
    for (Py_ssize_t i = 0; i < d->n; i++) {
        Py_DECREF(d->items[i].match);
        Py_DECREF(d->items[i].span);
    }
    if (d->items != d->small) {
        PyMem_Free(d->items);
    }
}

/* pattern.search(t, pos) into *out; out->match is NULL where nothing matched, or where pos is -1: nothing
 * searched. 0, or -1 with an exception set. */
static int
search(PyObject *pattern, PyObject *t, Py_ssize_t pos, int day, deadline *out)
{
    out->match = out->span = NULL;
    if (pos < 0) {
        return 0;
    }
    PyObject *position = PyLong_FromSsize_t(pos), *m;
    if (position == NULL) {
        return -1;
    }
    PyObject *args[2] = {t, position};
    m = PyObject_Vectorcall(pattern, args, 2, NULL);
    Py_DECREF(position);
    if (m == NULL) {
        return -1;
    }
    if (m == Py_None) {
        Py_DECREF(m);
        return 0;
    }
    PyObject *span = PyObject_CallOneArg(S.match_span, m);
    if (span == NULL || !PyTuple_CheckExact(span) || PyTuple_GET_SIZE(span) != 2
        || (out->start = PyLong_AsSsize_t(PyTuple_GET_ITEM(span, 0))) < 0
        || (out->end = PyLong_AsSsize_t(PyTuple_GET_ITEM(span, 1))) < 0) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_SystemError, "urgency: Match.span() gave no span");
        }
        Py_DECREF(m);
        Py_XDECREF(span);
        return -1;
    }
    out->match = m;
    out->span = span;
    out->day = day;
    return 0;
}

/* Where a search of _WITHIN from ``from`` may start, or -1 where it cannot match. Every span holds a unit
 * directly followed by an end (内) and before that unit only digits, spaces and characters of _WITHIN_LEAD, none of
 * which opens a unit: a span that opened before the run of them ending at the first unit + end at or after
 * ``from`` would hold that unit's first character before its own unit. So the search starts at that run. */
static Py_ssize_t
within_from(PyObject *t, Py_ssize_t from)
{
    Py_ssize_t unit = wt_first(&S.words, t, from, G_UNIT, G_END);
    return unit < 0 ? -1 : wt_run_start(t, unit, from, S.lead);
}

/* Where a search of _BY_DAY from ``from`` may start (at the first day word: every match opens with one), or -1 */
static Py_ssize_t
day_from(PyObject *t, Py_ssize_t from)
{
    return wt_first(&S.words, t, from, G_DAY, -1);
}

/* _deadlines(t): every deadline in text order, as one pattern of both kinds would find them. */
static int
find_deadlines(PyObject *t, deadlines *out)
{
    deadline span = {NULL}, day = {NULL};
    int rc = -1;
    Py_ssize_t n = PyUnicode_GET_LENGTH(t), within = PyUnicode_Find(t, S.marks[0], 0, n, 1), before = -1;
    if (within < -1 || (within == -1 && (before = PyUnicode_Find(t, S.marks[1], 0, n, 1)) < -1)) {
        return -1;
    }
    if (within == -1 && before == -1) {
        return 0;
    }
    if ((within >= 0 && search(S.within, t, within_from(t, 0), 0, &span) < 0)
        || search(S.by_day, t, day_from(t, 0), 1, &day) < 0) {
        goto done;
    }
    while (span.match != NULL || day.match != NULL) {
        deadline *m = span.match != NULL && (day.match == NULL || span.start <= day.start) ? &span : &day;
        if (out->n == out->allocated) {
            Py_ssize_t allocated = out->allocated * 2;
            deadline *items = out->items == out->small ? PyMem_New(deadline, allocated)
                                                       : PyMem_Resize(out->items, deadline, allocated);
            if (items == NULL) {
                PyErr_NoMemory();
                goto done;
            }
            if (out->items == out->small) {
                memcpy(items, out->small, sizeof(out->small));
            }
            out->items = items;
            out->allocated = allocated;
        }
        deadline *kept = &out->items[out->n++];
        *kept = *m;
        Py_INCREF(kept->match);
        Py_INCREF(kept->span);
        Py_ssize_t end = kept->end;
        if (span.match != NULL && span.start < end) {
            Py_CLEAR(span.match);
            Py_CLEAR(span.span);
            if (search(S.within, t, within_from(t, end), 0, &span) < 0) {
                goto done;
            }
        }
        if (day.match != NULL && day.start < end) {
            Py_CLEAR(day.match);
            Py_CLEAR(day.span);
            if (search(S.by_day, t, day_from(t, end), 1, &day) < 0) {
                goto done;
            }
        }
    }
    rc = 0;
done:
    Py_XDECREF(span.match);
    Py_XDECREF(span.span);
    Py_XDECREF(day.match);
    Py_XDECREF(day.span);
    return rc;
}

/* _is_short(m): 1, 0, or -1 with an exception set */
static int
is_short(const deadline *d)
{
    if (d->day) {
        return 1;   /* today, tonight, tomorrow */
    }
    PyObject *number = PyObject_GetItem(d->match, ints[1]), *unit = NULL, *amount = NULL;
    int rc = -1, minutes, hours;
    if (number != NULL && (unit = PyObject_GetItem(d->match, ints[2])) != NULL
        && (amount = PyObject_CallOneArg(S.number_value, number)) != NULL
        && (minutes = PyObject_RichCompareBool(unit, S.minutes, Py_EQ)) >= 0) {
        if (minutes) {
            rc = 1;
        }
        else if ((hours = PyObject_RichCompareBool(unit, S.hours, Py_EQ)) >= 0) {
            rc = PyObject_RichCompareBool(amount, hours ? S.short_hours : S.short_days, Py_LE);
        }
    }
    Py_XDECREF(number);
    Py_XDECREF(unit);
    Py_XDECREF(amount);
    return rc;
}

/* ---- the detector ---- */

static int
append_signal(PyObject *signals, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    return dt_append_call(signals, S.make_signal, args, nargs, kwnames);
}

/* The signals of the hits and deadlines; level is the sum of the hits' weights. */
static PyObject *
signals_of(PyObject *ntext, PyObject *hit_list, PyObject *snapshot, const hit *hits, long long level,
           const deadlines *found)
{
    PyObject *signals = PyList_New(0), *spans = PyList_New(found->n), *shorts = NULL, *first = NULL;
    PyObject *finals = NULL, *value = NULL;
    if (signals == NULL || spans == NULL) {
        goto error;
    }
    for (Py_ssize_t i = 0; i < found->n; i++) {
        PyList_SET_ITEM(spans, i, Py_NewRef(found->items[i].span));
    }
    if (found->n > 0) {
        if ((first = PyObject_GetItem(found->items[0].match, ints[0])) == NULL) {
            goto error;
        }
        PyObject *args[5] = {S.names[SIG_DEADLINE], ntext, spans, first, empty_str};
        if (append_signal(signals, args, 2, S.kwnames[KW_DEADLINE]) < 0 || (shorts = PyList_New(0)) == NULL) {
            goto error;
        }
        for (Py_ssize_t i = 0; i < found->n; i++) {
            int short_ = is_short(&found->items[i]);
            if (short_ < 0 || (short_ && PyList_Append(shorts, found->items[i].span) < 0)) {
                goto error;
            }
        }
        if (PyList_GET_SIZE(shorts) > 0) {
            PyObject *short_args[4] = {S.names[SIG_SHORT], ntext, shorts, empty_str};
            if (append_signal(signals, short_args, 2, S.kwnames[KW_SHORT]) < 0) {
                goto error;
            }
        }
        level += PyList_GET_SIZE(shorts) > 0 ? S.short_weight : S.weight;
    }
    if ((finals = PyList_New(0)) == NULL) {
        goto error;
    }
    for (Py_ssize_t i = 0; snapshot != NULL && i < PyTuple_GET_SIZE(snapshot); i++) {
        if (hits[i].final && PyList_Append(finals, PyTuple_GET_ITEM(snapshot, i)) < 0) {
            goto error;
        }
    }
    if (PyList_GET_SIZE(finals) > 0) {
        PyObject *final_args[3] = {S.names[SIG_FINAL], ntext, finals};
        if (append_signal(signals, final_args, 3, NULL) < 0) {
            goto error;
        }
    }
    if ((value = PyLong_FromLongLong(level < S.max_level ? level : S.max_level)) == NULL) {
        goto error;
    }
    PyObject *level_args[5] = {S.names[SIG_LEVEL], ntext, hit_list, spans, value};
    if (append_signal(signals, level_args, 3, S.kwnames[KW_LEVEL]) < 0) {
        goto error;
    }
    goto done;
error:
    Py_CLEAR(signals);
done:
    Py_XDECREF(spans);
    Py_XDECREF(shorts);
    Py_XDECREF(first);
    Py_XDECREF(finals);
    Py_XDECREF(value);
    return signals;
}

static PyObject *
urgency_detect(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    if (S.reference == NULL || nargs != 3 || kwnames != NULL) {
        goto reference;
    }
    PyObject *ntext = args[1], *t, *hit_list, *read = dt_read(S.read, ntext, &t, &hit_list);
    PyObject *snapshot = NULL, *result = NULL;
    if (read == NULL) {
        return NULL;
    }
    if (t == NULL || !PyUnicode_IS_READY(t)) {
        Py_DECREF(read);
        goto reference;
    }
    /* the hits, read from a snapshot that keeps them alive */
    Py_ssize_t n = PyList_GET_SIZE(hit_list);
    hit small[SMALL], *hits = small;
    deadlines found = {.n = 0, .allocated = 4};
    found.items = found.small;
    long long level = 0;
    if (n > 0) {
        if ((snapshot = PyList_AsTuple(hit_list)) == NULL) {
            goto done;
        }
        n = PyTuple_GET_SIZE(snapshot);
        if (n > SMALL && (hits = PyMem_New(hit, n)) == NULL) {
            PyErr_NoMemory();
            goto done;
        }
        for (Py_ssize_t i = 0; i < n; i++) {
            if (!read_hit(PyTuple_GET_ITEM(snapshot, i), &hits[i])) {
                if (hits != small) {
                    PyMem_Free(hits);
                }
                Py_DECREF(snapshot);
                Py_DECREF(read);
                goto reference;
            }
        }
    }
    if (find_deadlines(t, &found) < 0) {
        goto done;
    }
    if (n == 0 && found.n == 0) {
        result = PyList_New(0);
    }
    else if (weight_sum(hits, n, &level) == 0) {
        result = signals_of(ntext, hit_list, snapshot, hits, level, &found);
    }
done:
    deadlines_clear(&found);
    if (hits != small) {
        PyMem_Free(hits);
    }
    Py_XDECREF(snapshot);
    Py_DECREF(read);
    return result;
reference:
    return dt_call_reference(S.reference, args, nargs, kwnames);
}

static PyObject *
urgency_bind(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    state fresh;
    return dt_bind_state(module, args, nargs, &S, &fresh, sizeof(state), ur_bind_state, ur_state_clear);
}

static PyMethodDef urgency_methods[] = {
    {"detect", (PyCFunction)(void (*)(void))urgency_detect, METH_FASTCALL | METH_KEYWORDS,
     "detect(message, text, features): the urgency detector's signals (see plugins/urgency.py)"},
    {"bind", (PyCFunction)(void (*)(void))urgency_bind, METH_FASTCALL,
     "bind(reference, tables): hand the detector its Python reference and tables; returns detect"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef urgency_module = {
    PyModuleDef_HEAD_INIT, "smsguard_plugins._curgency", "The urgency detector's body in C (see plugins/urgency.py).",
    -1, urgency_methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__curgency(void)
{
    for (int i = 0; i < 3; i++) {
        if ((ints[i] = PyLong_FromLong(i)) == NULL) {
            return NULL;
        }
    }
    if ((empty_str = PyUnicode_New(0, 0)) == NULL) {
        return NULL;
    }
    return PyModule_Create(&urgency_module);
}
