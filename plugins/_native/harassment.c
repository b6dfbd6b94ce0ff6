/* The harassment detector's body in C (smsguard_plugins._charassment): plugins/harassment.py's detect_reference,
 * step for step.
 *
 * bind(...) takes the detector's tables and the helpers it calls by name, once, and returns a Detector: a callable
 * (message, text, features) -> list[Signal]. The shared steps (the term read, the reader context, the groupings,
 * negated, HitIndex and cue_before, make_signal ...) and the reference's own helpers (is_night, _aimed) are called
 * through the objects handed over, so they stay single; the C does the rest: the early return of the many messages
 * with nothing to report, the filtering of hits and the choice of signals.
 *
 * A term read holding other than plain TermHits goes to the Python reference untouched (the read is the message's
 * cached one, the same for both), as do calls with other than three positional arguments.
 */
#include "detector.h"

/* the objects bind() takes, by keyword */
enum {
    O_REFERENCE, O_READ, O_HIT, O_ENTRY, O_CONTACT_ONLY, O_DEBT_ONLY, O_PEOPLE, O_CONTACT_WINDOW, O_IS_NIGHT,
    O_AIMED, O_HIT_INDEX, O_CUE_BEFORE, O_NEGATED, O_CONTEXT_OF, O_READER_DIRECTED, O_RESOLVE_OVERLAPS,
    O_BY_KIND, O_MAKE_SIGNAL, O_SPAN_SIGNAL, N_OBJECTS
};
static const char *const OBJECT_NAMES[N_OBJECTS] = {
    "reference", "read", "term_hit", "entry", "contact_only", "debt_only", "people", "contact_window", "is_night",
    "aimed", "hit_index", "cue_before", "negated", "context_of", "reader_directed", "resolve_overlaps",
    "by_kind", "make_signal", "span_signal",
};

/* and the objects bind() makes: "harassment.<kind>" for each kind of debt_only and people */
enum { O_DEBT_NAMES = N_OBJECTS, O_PEOPLE_NAMES, N_HELD };

typedef struct {
    dt_head head;
    PyObject *o[N_HELD];
} Detector;

/* the words of the body, interned */
enum {
    W_RECEIVED_AT, W_DEBT, W_ADDRESS, W_INSULT, W_CONTACT, W_STRONG, W_ISOFORMAT, W_MINUTES,
    W_INSULT_SIGNAL, W_NIGHT_SIGNAL, N_WORDS
};
static const char *const WORD_TEXT[N_WORDS] = {
    "received_at", "debt", "address", "insult", "contact", "strong", "isoformat", "minutes",
    "harassment.insult", "harassment.night",
};
static PyObject *words[N_WORDS];
static PyObject *kw_timespec, *empty_tuple;

#define HIT_TYPES(d) (PyTypeObject *)(d)->o[O_HIT], (PyTypeObject *)(d)->o[O_ENTRY]
#define plain_hit(d, h) dt_plain_str_hit(HIT_TYPES(d), (h))
#define hit_tuple(d, seq) dt_hit_tuple(HIT_TYPES(d), (seq))

static PyObject *
call(const Detector *d, int which, PyObject *a, PyObject *b, PyObject *c, PyObject *e)
{
    PyObject *args[4] = {a, b, c, e};
    Py_ssize_t n = b == NULL ? 1 : c == NULL ? 2 : e == NULL ? 3 : 4;
    return PyObject_Vectorcall(d->o[which], args, n, NULL);
}

/* make_signal(name, text, hits), appended to signals */
static int
add_signal(const Detector *d, PyObject *signals, PyObject *name, PyObject *text, PyObject *hits)
{
    PyObject *args[3] = {name, text, hits};
    return dt_append_call(signals, d->o[O_MAKE_SIGNAL], args, 3, NULL);
}

/* The hits of one group that are not negated in t (and, for insults, aimed at the reader: _aimed). */
static PyObject *
not_negated(const Detector *d, PyObject *t, PyObject *group, PyObject *addressed)
{
    PyObject *hits = hit_tuple(d, group), *kept = hits == NULL ? NULL : PyList_New(0);
    for (Py_ssize_t i = 0; kept != NULL && i < PyTuple_GET_SIZE(hits); i++) {
        PyObject *h = PyTuple_GET_ITEM(hits, i);
        int r = dt_truth(call(d, O_NEGATED, t, PyTuple_GET_ITEM(h, 1), PyTuple_GET_ITEM(h, 2), NULL));
        if (r == 0) {
            r = addressed == NULL ? 1 : dt_truth(call(d, O_AIMED, t, h, addressed, NULL));
        }
        else if (r > 0) {
            r = 0;  /* negated: left out */
        }
        if (r < 0 || (r > 0 && PyList_Append(kept, h) < 0)) {
            Py_CLEAR(kept);
        }
    }
    Py_XDECREF(hits);
    return kept;
}

/* The people the collector reaches: a people hit counts when "strong" or a contact verb stands before it. */
static int
people_signals(const Detector *d, PyObject *signals, PyObject *text, PyObject *t, PyObject *grouped)
{
    Py_ssize_t n = PyTuple_GET_SIZE(d->o[O_PEOPLE]), count = 0;
    char present[64];
    for (Py_ssize_t i = 0; i < n; i++) {
        int r = PySequence_Contains(grouped, PyTuple_GET_ITEM(d->o[O_PEOPLE], i));
        if (r < 0) {
            return -1;
        }
        count += present[i] = (char)r;
    }
    if (count == 0) {
        return 0;
    }
    PyObject *contact = dt_get(grouped, words[W_CONTACT], empty_tuple);
    PyObject *verbs = contact == NULL ? NULL : not_negated(d, t, contact, NULL);
    PyObject *index = verbs == NULL ? NULL : call(d, O_HIT_INDEX, verbs, NULL, NULL, NULL);
    Py_XDECREF(verbs);
    int ok = index == NULL ? -1 : 0;
    for (Py_ssize_t i = 0; ok == 0 && i < n; i++) {
        if (!present[i]) {
            continue;
        }
        PyObject *hits = hit_tuple(d, PyObject_GetItem(grouped, PyTuple_GET_ITEM(d->o[O_PEOPLE], i)));
        PyObject *reached = hits == NULL ? NULL : PyList_New(0);
        ok = reached == NULL ? -1 : 0;
        for (Py_ssize_t j = 0; ok == 0 && j < PyTuple_GET_SIZE(hits); j++) {
            PyObject *h = PyTuple_GET_ITEM(hits, j);
            int r = PySequence_Contains(DT_ATTRS(h), words[W_STRONG]);
            if (r == 0) {
                r = dt_truth(call(d, O_CUE_BEFORE, t, index, h, d->o[O_CONTACT_WINDOW]));
            }
            ok = r < 0 || (r > 0 && PyList_Append(reached, h) < 0) ? -1 : 0;
        }
        if (ok == 0 && PyList_GET_SIZE(reached) > 0) {
            ok = add_signal(d, signals, PyTuple_GET_ITEM(d->o[O_PEOPLE_NAMES], i), text, reached);
        }
        Py_XDECREF(hits);
        Py_XDECREF(reached);
    }
    Py_XDECREF(index);
    return ok;
}

/* The signals of a message directed at its reader: insults, then (about a debt) threats, exposure ... people. */
static int
reader_signals(const Detector *d, PyObject *signals, PyObject *text, PyObject *t, PyObject *found,
               PyObject *context, int debt)
{
    int ok = -1;
    PyObject *resolved = call(d, O_RESOLVE_OVERLAPS, found, NULL, NULL, NULL), *addressed = NULL, *insults = NULL;
    PyObject *grouped = resolved == NULL ? NULL : call(d, O_BY_KIND, resolved, NULL, NULL, NULL);
    Py_XDECREF(resolved);
    int r = grouped == NULL ? -1 : PySequence_Contains(grouped, words[W_INSULT]);
    if (r < 0) {
        goto done;
    }
    if (r > 0) {
        PyObject *address = dt_get(context, words[W_ADDRESS], empty_tuple);
        if (address == NULL || (addressed = call(d, O_HIT_INDEX, address, NULL, NULL, NULL)) == NULL) {
            Py_XDECREF(address);
            goto done;
        }
        Py_DECREF(address);
        if ((insults = not_negated(d, t, PyObject_GetItem(grouped, words[W_INSULT]), addressed)) == NULL
            || (PyList_GET_SIZE(insults) > 0 && add_signal(d, signals, words[W_INSULT_SIGNAL], text, insults) < 0)) {
            goto done;
        }
    }
    if (debt) {
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(d->o[O_DEBT_ONLY]); i++) {
            PyObject *hits = dt_get(grouped, PyTuple_GET_ITEM(d->o[O_DEBT_ONLY], i), Py_None);
            int some = hits == NULL ? -1 : PyObject_IsTrue(hits);
            if (some > 0) {
                some = add_signal(d, signals, PyTuple_GET_ITEM(d->o[O_DEBT_NAMES], i), text, hits);
            }
            Py_XDECREF(hits);
            if (some < 0) {
                goto done;
            }
        }
        if (people_signals(d, signals, text, t, grouped) < 0) {
            goto done;
        }
    }
    ok = 0;
done:
    Py_XDECREF(grouped);
    Py_XDECREF(addressed);
    Py_XDECREF(insults);
    return ok;
}

/* harassment.night: a debt message received at night, its span the whole text */
static int
night_signal(const Detector *d, PyObject *signals, PyObject *message, PyObject *text, PyObject *t)
{
    PyObject *received = PyObject_GetAttr(message, words[W_RECEIVED_AT]), *when = NULL, *span = NULL, *signal = NULL;
    if (received == NULL) {
        return -1;
    }
    if (received == Py_None) {
        Py_DECREF(received);
        return 0;
    }
    PyObject *args[2] = {received, words[W_MINUTES]};
    if ((when = PyObject_VectorcallMethod(words[W_ISOFORMAT], args, 1, kw_timespec)) != NULL
        && (span = sg_span(0, PyUnicode_GET_LENGTH(t))) != NULL) {
        PyObject *sargs[5] = {words[W_NIGHT_SIGNAL], text, span, Py_True, when};
        signal = PyObject_Vectorcall(d->o[O_SPAN_SIGNAL], sargs, 5, NULL);
    }
    int r = signal == NULL ? -1 : PyList_Append(signals, signal);
    Py_DECREF(received);
    Py_XDECREF(when);
    Py_XDECREF(span);
    Py_XDECREF(signal);
    return r;
}

static PyObject *
detector_call(Detector *d, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    if (PyVectorcall_NARGS(nargsf) != 3 || kwnames != NULL) {
        return PyObject_Vectorcall(d->o[O_REFERENCE], args, nargsf, kwnames);
    }
    PyObject *message = args[0], *text = args[1], *t, *hits;
    PyObject *read = dt_read(d->o[O_READ], text, &t, &hits);
    if (read == NULL) {
        return NULL;
    }
    PyObject *found = NULL, *context = NULL, *signals = NULL, *result = NULL;
    int night = 0, debt, directed = 0;
    if (t == NULL) {
        goto reference;
    }
    /* nothing, or only contact verbs, which count only next to the people contacted (no code runs here) */
    int quiet = 1;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(hits); i++) {
        PyObject *h = PyList_GET_ITEM(hits, i);
        if (!plain_hit(d, h)) {
            goto reference;
        }
        quiet = quiet > 0 ? PySet_Contains(d->o[O_CONTACT_ONLY], DT_KIND(h)) : quiet;
    }
    PyObject *received = quiet < 0 ? NULL : PyObject_GetAttr(message, words[W_RECEIVED_AT]);
    if (received == NULL) {
        goto done;
    }
    if (received != Py_None) {
        night = dt_truth(call(d, O_IS_NIGHT, received, NULL, NULL, NULL));
    }
    Py_DECREF(received);
    if (night < 0) {
        goto done;
    }
    if (!night && quiet) {
        result = PyList_New(0);
        goto done;
    }
    /* a snapshot: the calls below may run any code */
    if ((found = PyList_AsTuple(hits)) == NULL) {
        goto done;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(found);
    if ((context = call(d, O_CONTEXT_OF, text, NULL, NULL, NULL)) == NULL
        || (debt = dt_truth(dt_get(context, words[W_DEBT], Py_None))) < 0 || (signals = PyList_New(0)) == NULL
        || (n > 0 && (directed = dt_truth(call(d, O_READER_DIRECTED, context, NULL, NULL, NULL))) < 0)
        || (directed && reader_signals(d, signals, text, t, found, context, debt) < 0)
        || (debt && night && night_signal(d, signals, message, text, t) < 0)) {
        goto done;
    }
    result = Py_NewRef(signals);
    goto done;
reference:
    result = PyObject_Vectorcall(d->o[O_REFERENCE], args, nargsf, kwnames);
done:
    Py_DECREF(read);
    Py_XDECREF(found);
    Py_XDECREF(context);
    Py_XDECREF(signals);
    return result;
}

/* ---- the Detector and bind() ---- */

static PyTypeObject *detector_type;

/* ("harassment.<kind>", ...) for a tuple of kinds (exact strs, at most 64) */
static PyObject *
signal_names(PyObject *kinds, const char *what)
{
    if (!PyTuple_CheckExact(kinds) || PyTuple_GET_SIZE(kinds) > 64) {
        return PyErr_Format(PyExc_TypeError, "bind: %s must be a tuple of at most 64 strs", what);
    }
    PyObject *names = PyTuple_New(PyTuple_GET_SIZE(kinds));
    for (Py_ssize_t i = 0; names != NULL && i < PyTuple_GET_SIZE(kinds); i++) {
        PyObject *kind = PyTuple_GET_ITEM(kinds, i);
        PyObject *name = PyUnicode_CheckExact(kind) ? PyUnicode_FromFormat("harassment.%U", kind)
                                                    : PyErr_Format(PyExc_TypeError, "bind: %s must hold strs", what);
        if (name == NULL) {
            Py_CLEAR(names);
            break;
        }
        PyTuple_SET_ITEM(names, i, name);
    }
    return names;
}

static int
check_objects(Detector *d)
{
    if (dt_check_hit_classes(d->o[O_HIT], d->o[O_ENTRY]) < 0) {
        return -1;
    }
    if (!PyAnySet_Check(d->o[O_CONTACT_ONLY])) {
        PyErr_SetString(PyExc_TypeError, "bind: contact_only must be a set");
        return -1;
    }
    d->o[O_DEBT_NAMES] = signal_names(d->o[O_DEBT_ONLY], "debt_only");
    d->o[O_PEOPLE_NAMES] = d->o[O_DEBT_NAMES] == NULL ? NULL : signal_names(d->o[O_PEOPLE], "people");
    return d->o[O_PEOPLE_NAMES] == NULL ? -1 : 0;
}

static PyObject *
harassment_bind(PyObject *module, PyObject *args, PyObject *kwargs)
{
    Detector *d = DT_NEW(Detector, detector_type, (vectorcallfunc)detector_call, o, N_HELD);
    if (d != NULL && (dt_keywords(args, kwargs, OBJECT_NAMES, N_OBJECTS, d->o) < 0 || check_objects(d) < 0)) {
        Py_CLEAR(d);
    }
    return (PyObject *)d;
}

static PyMethodDef harassment_methods[] = {
    {"bind", (PyCFunction)(void (*)(void))harassment_bind, METH_VARARGS | METH_KEYWORDS,
     "bind(*, reference, read, ...) -> Detector: the harassment detector's body, with the objects it calls"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef harassment_module = {
    PyModuleDef_HEAD_INIT, "smsguard_plugins._charassment",
    "The harassment detector's body in C (see plugins/harassment.py, whose detect_reference it follows).", -1,
    harassment_methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__charassment(void)
{
    if (dt_intern(WORD_TEXT, N_WORDS, words) < 0) {
        return NULL;
    }
    if ((kw_timespec = Py_BuildValue("(N)", PyUnicode_InternFromString("timespec"))) == NULL
        || (empty_tuple = PyTuple_New(0)) == NULL
        || (detector_type = dt_new_type("smsguard_plugins._charassment.Detector",
                                        "The harassment detector's body, bound by bind(): "
                                        "detector(message, text, features) -> list[Signal]",
                                        sizeof(Detector), NULL)) == NULL) {
        return NULL;
    }
    return dt_module(&harassment_module, detector_type);
}
