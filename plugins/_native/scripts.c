/* The scam-script detector's body in C (smsguard_plugins._cscripts): detect_reference of plugins/scripts.py with
 * the same steps on the same objects. The term read, by_kind, negated and make_signal are the Python objects
 * handed to bind (the C ones where those are built). The scripts stay one table, in Python: this file reads each
 * script's needs as Script.holds does and calls its `also` test, when it has one, once they are met.
 *
 * A read that is not a (text, list) pair, a grouping that is not a dict or a hit that is not a plain TermHit goes
 * to detect_reference; what runs before that decision (the read, by_kind, the scripts' tests) is cached or pure.
 */
#include "detector.h"

/* What a step returns when the reference must answer; never dereferenced. */
static PyObject fallback_marker;
#define FALLBACK (&fallback_marker)

/* a script's objects, borrowed: the Detector's ``kept`` list holds them */
typedef struct {
    PyObject *name;         /* the signal's name */
    PyObject *anchors;      /* a tuple of the anchor kinds */
    PyObject *kinds;        /* the frozenset of the kinds that belong to the script */
    PyObject *needs;        /* a tuple of tuples of kinds: one of each must be present */
    PyObject *also;         /* also(kinds, text, features), or None */
    PyObject *holds;        /* the bound Script.holds, for kinds that are not a dict */
} script;

#define N_HELD 9

typedef struct {
    dt_head head;
    union {
        PyObject *held[N_HELD];     /* the objects below, as dt_head sees them */
        struct {
            PyObject *reference, *read, *by_kind, *negated, *make_signal;
            PyTypeObject *hit_type, *entry_type;
            PyObject *anchors;      /* every script's anchors in one frozenset */
            PyObject *kept;         /* a list of the scripts' objects */
        };
    };
    Py_ssize_t n_scripts;
    script *scripts;
} Detector;
_Static_assert(offsetof(Detector, kept) == offsetof(Detector, held[N_HELD - 1]), "held[] is every object");

#define KIND(h) DT_KIND(h)

/* A TermHit as the read makes it: exact TermHit and Entry, so that h.kind is the entry's third field. */
#define plain_hit(d, h) (dt_plain_entry((d)->hit_type, (d)->entry_type, (h)) != NULL)

/* not script.anchors.isdisjoint(kinds): 1, 0, or -1 with an exception set */
static int
anchored(const script *s, PyObject *kinds)
{
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(s->anchors); i++) {
        PyObject *anchor = PyTuple_GET_ITEM(s->anchors, i);
        int found = PyDict_CheckExact(kinds) ? PyDict_Contains(kinds, anchor) : PySet_Contains(kinds, anchor);
        if (found != 0) {
            return found;
        }
    }
    return 0;
}

/* script.holds(kinds, t, features): 1, 0, or -1 with an exception set */
static int
holds(const script *s, PyObject *kinds, PyObject *t, PyObject *features)
{
    PyObject *args[] = {kinds, t, features};
    if (!PyDict_CheckExact(kinds)) {
        PyObject *answer = PyObject_Vectorcall(s->holds, args, 3, NULL);
        int truth = answer == NULL ? -1 : PyObject_IsTrue(answer);
        Py_XDECREF(answer);
        return truth;
    }
    /* each group of needs: some kinds.get(kind) true */
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(s->needs); i++) {
        PyObject *group = PyTuple_GET_ITEM(s->needs, i);
        int has = 0;
        for (Py_ssize_t j = 0; !has && j < PyTuple_GET_SIZE(group); j++) {
            PyObject *hits = PyDict_GetItemWithError(kinds, PyTuple_GET_ITEM(group, j));
            if (hits == NULL) {
                if (PyErr_Occurred()) {
                    return -1;
                }
                continue;
            }
            Py_INCREF(hits);
            has = PyList_CheckExact(hits) ? PyList_GET_SIZE(hits) > 0 : PyObject_IsTrue(hits);
            Py_DECREF(hits);
            if (has < 0) {
                return -1;
            }
        }
        if (!has) {
            return 0;
        }
    }
    if (s->also == Py_None) {
        return 1;
    }
    PyObject *answer = PyObject_Vectorcall(s->also, args, 3, NULL);
    int truth = answer == NULL ? -1 : PyObject_IsTrue(answer);
    Py_XDECREF(answer);
    return truth;
}

/* The hits of found split into the asserted (a new list) and the kinds of the denied (into denied), or FALLBACK
 * when a hit is not a plain TermHit */
static PyObject *
split(const Detector *d, PyObject *found, PyObject *t, PyObject *denied)
{
    PyObject *asserted = PyList_New(0);
    for (Py_ssize_t i = 0; asserted != NULL && i < PyList_GET_SIZE(found); i++) {
        PyObject *h = PyList_GET_ITEM(found, i);
        if (!plain_hit(d, h)) {
            Py_DECREF(asserted);
            return FALLBACK;
        }
        Py_INCREF(h);
        PyObject *args[] = {t, PyTuple_GET_ITEM(h, 1), PyTuple_GET_ITEM(h, 2)};
        PyObject *answer = PyObject_Vectorcall(d->negated, args, 3, NULL);
        int no = answer == NULL ? -1 : PyObject_IsTrue(answer);
        Py_XDECREF(answer);
        if (no < 0 || (no ? PySet_Add(denied, KIND(h)) : PyList_Append(asserted, h)) < 0) {
            Py_CLEAR(asserted);
        }
        Py_DECREF(h);
    }
    return asserted;
}

/* The signals of the candidate scripts (candidate[i] set) that hold on the asserted hits */
static PyObject *
asserted_signals(const Detector *d, PyObject *ntext, PyObject *t, PyObject *features, PyObject *found,
                 const char *candidate)
{
    PyObject *denied = PySet_New(NULL), *signals = NULL, *kinds = NULL;
    PyObject *asserted = denied == NULL ? NULL : split(d, found, t, denied);
    if (asserted == NULL || asserted == FALLBACK) {
        Py_XDECREF(denied);
        return asserted;
    }
    if ((kinds = PyObject_Vectorcall(d->by_kind, &asserted, 1, NULL)) == NULL
        || (signals = PyList_New(0)) == NULL) {
        goto error;
    }
    for (Py_ssize_t i = 0; i < d->n_scripts; i++) {
        const script *s = &d->scripts[i];
        if (!candidate[i]) {
            continue;
        }
        int denied_anchor = anchored(s, denied), fires = denied_anchor == 0 ? holds(s, kinds, t, features) : 0;
        if (denied_anchor < 0 || fires < 0) {
            goto error;
        }
        if (!fires) {
            continue;
        }
        PyObject *used = PyList_New(0);
        for (Py_ssize_t j = 0; used != NULL && j < PyList_GET_SIZE(asserted); j++) {
            PyObject *h = PyList_GET_ITEM(asserted, j);
            int in = PySet_Contains(s->kinds, KIND(h));
            if (in < 0 || (in && PyList_Append(used, h) < 0)) {
                Py_CLEAR(used);
            }
        }
        PyObject *args[] = {s->name, ntext, used};
        PyObject *signal = used == NULL ? NULL : PyObject_Vectorcall(d->make_signal, args, 3, NULL);
        Py_XDECREF(used);
        if (signal == NULL || PyList_Append(signals, signal) < 0) {
            Py_XDECREF(signal);
            goto error;
        }
        Py_DECREF(signal);
    }
    Py_DECREF(denied);
    Py_DECREF(asserted);
    Py_DECREF(kinds);
    return signals;
error:
    Py_DECREF(denied);
    Py_DECREF(asserted);
    Py_XDECREF(kinds);
    Py_XDECREF(signals);
    return NULL;
}

static PyObject *
detect(const Detector *d, PyObject *ntext, PyObject *features)
{
    PyObject *read = PyObject_Vectorcall(d->read, &ntext, 1, NULL);
    if (read == NULL) {
        return NULL;
    }
    if (!PyTuple_CheckExact(read) || PyTuple_GET_SIZE(read) != 2 || !PyList_CheckExact(PyTuple_GET_ITEM(read, 1))) {
        Py_DECREF(read);
        return FALLBACK;
    }
    PyObject *t = PyTuple_GET_ITEM(read, 0), *found = PyTuple_GET_ITEM(read, 1), *result = NULL;
    if (PyList_GET_SIZE(found) < 2) {
        Py_DECREF(read);
        return PyList_New(0);
    }
    /* no script is tested without an anchor word, and the kinds of by_kind(found) are those of the hits */
    int anchor = 0;
    for (Py_ssize_t i = 0; anchor >= 0 && i < PyList_GET_SIZE(found); i++) {
        PyObject *h = PyList_GET_ITEM(found, i);
        int in = plain_hit(d, h) ? PySet_Contains(d->anchors, KIND(h)) : -2;
        anchor = in < 0 ? in : anchor | in;
    }
    if (anchor <= 0) {
        Py_DECREF(read);
        return anchor == 0 ? PyList_New(0) : anchor == -1 ? NULL : FALLBACK;
    }
    PyObject *every = PyObject_Vectorcall(d->by_kind, &found, 1, NULL);
    if (every == NULL || !PyDict_CheckExact(every)) {
        result = every == NULL ? NULL : FALLBACK;
        goto done;
    }
    char small[16], *candidate = d->n_scripts <= 16 ? small : PyMem_Malloc((size_t)d->n_scripts);
    if (candidate == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    int any = 0;
    for (Py_ssize_t i = 0; i < d->n_scripts; i++) {
        const script *s = &d->scripts[i];
        int yes = anchored(s, every);
        if (yes > 0) {
            yes = holds(s, every, t, features);
        }
        if (yes < 0) {
            any = -1;
            break;
        }
        candidate[i] = (char)yes;
        any |= yes;
    }
    result = any < 0 ? NULL : any ? asserted_signals(d, ntext, t, features, found, candidate) : PyList_New(0);
    if (candidate != small) {
        PyMem_Free(candidate);
    }
done:
    Py_XDECREF(every);
    Py_DECREF(read);
    return result;
}

static PyObject *
detector_vectorcall(PyObject *self, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    Detector *d = (Detector *)self;
    PyObject *result = FALLBACK;
    if (PyVectorcall_NARGS(nargsf) == 3 && kwnames == NULL) {
        result = detect(d, args[1], args[2]);
    }
    if (result == FALLBACK) {
        return PyObject_Vectorcall(d->reference, args, nargsf, kwnames);
    }
    return result;
}

static PyTypeObject *detector_type;

static void
release(PyObject *self)
{
    PyMem_Free(((Detector *)self)->scripts);
}

static int
bind_table(PyObject *tables, const char *key, PyObject **out)
{
    PyObject *value = dt_table(tables, key);
    *out = Py_XNewRef(value);
    return value == NULL ? -1 : 0;
}

/* o (a new reference, or NULL) kept alive by the list kept: o, borrowed, or NULL */
static PyObject *
kept_in(PyObject *kept, PyObject *o)
{
    int r = o == NULL ? -1 : PyList_Append(kept, o);
    Py_XDECREF(o);
    return r < 0 ? NULL : o;
}

/* one (signal name, Script) pair of the "scripts" table */
static int
bind_script(script *s, PyObject *pair, PyObject *kept)
{
    if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2 || !PyUnicode_Check(PyTuple_GET_ITEM(pair, 0))) {
        PyErr_SetString(PyExc_TypeError, "bind: scripts must be (signal name, Script) pairs");
        return -1;
    }
    PyObject *scr = PyTuple_GET_ITEM(pair, 1), *anchors = PyObject_GetAttrString(scr, "anchors");
    s->name = kept_in(kept, Py_NewRef(PyTuple_GET_ITEM(pair, 0)));
    s->anchors = anchors == NULL ? NULL : kept_in(kept, PySequence_Tuple(anchors));
    Py_XDECREF(anchors);
    if (s->name == NULL || s->anchors == NULL
        || (s->kinds = kept_in(kept, PyObject_GetAttrString(scr, "kinds"))) == NULL
        || (s->needs = kept_in(kept, PyObject_GetAttrString(scr, "needs"))) == NULL
        || (s->also = kept_in(kept, PyObject_GetAttrString(scr, "also"))) == NULL
        || (s->holds = kept_in(kept, PyObject_GetAttrString(scr, "holds"))) == NULL) {
        return -1;
    }
    int plain = PyAnySet_Check(s->kinds) && PyCallable_Check(s->holds) && PyTuple_CheckExact(s->needs)
                && (s->also == Py_None || PyCallable_Check(s->also));
    for (Py_ssize_t i = 0; plain && i < PyTuple_GET_SIZE(s->needs); i++) {
        plain = PyTuple_CheckExact(PyTuple_GET_ITEM(s->needs, i));
    }
    if (!plain) {
        PyErr_SetString(PyExc_TypeError, "bind: a script's kinds must be a set, its needs a tuple of tuples, its "
                                         "also None or a callable");
        return -1;
    }
    return 0;
}

static int
bind_tables(Detector *d, PyObject *tables)
{
    PyObject *scripts = NULL;
    if (bind_table(tables, "read", &d->read) < 0 || bind_table(tables, "by_kind", &d->by_kind) < 0
        || bind_table(tables, "negated", &d->negated) < 0 || bind_table(tables, "make_signal", &d->make_signal) < 0
        || dt_hit_types(tables, &d->hit_type, &d->entry_type) < 0 || bind_table(tables, "scripts", &scripts) < 0) {
        return -1;
    }
    int rc = -1;
    if (!PyTuple_Check(scripts)) {
        PyErr_SetString(PyExc_TypeError, "bind: scripts must be a tuple");
        goto done;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(scripts);
    if ((d->scripts = PyMem_Calloc((size_t)n + 1, sizeof(script))) == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    d->n_scripts = n;
    PyObject *anchors = (d->kept = PyList_New(0)) == NULL ? NULL : PyList_New(0);
    for (Py_ssize_t i = 0; anchors != NULL && i < n; i++) {
        Py_ssize_t end = PyList_GET_SIZE(anchors);
        if (bind_script(&d->scripts[i], PyTuple_GET_ITEM(scripts, i), d->kept) < 0
            || PyList_SetSlice(anchors, end, end, d->scripts[i].anchors) < 0) {
            Py_CLEAR(anchors);
        }
    }
    d->anchors = anchors == NULL ? NULL : PyFrozenSet_New(anchors);
    Py_XDECREF(anchors);
    if (d->anchors == NULL) {
        goto done;
    }
    rc = 0;
done:
    Py_DECREF(scripts);
    return rc;
}

static PyObject *
scripts_bind(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (dt_bind_args(args, nargs) < 0) {
        return NULL;
    }
    Detector *d = DT_NEW(Detector, detector_type, detector_vectorcall, held, N_HELD);
    if (d == NULL) {
        return NULL;
    }
    d->head.release = release;
    d->reference = Py_NewRef(args[0]);
    if (bind_tables(d, args[1]) < 0) {
        Py_DECREF(d);
        return NULL;
    }
    return (PyObject *)d;
}

static PyMethodDef scripts_methods[] = {
    {"bind", (PyCFunction)(void (*)(void))scripts_bind, METH_FASTCALL,
     "bind(reference, tables): detect(message, text, features), the body of plugins/scripts.py in C"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef scripts_module = {
    PyModuleDef_HEAD_INIT, "smsguard_plugins._cscripts",
    "The scam-script detector's body in C (see plugins/scripts.py).", -1, scripts_methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__cscripts(void)
{
    detector_type = dt_new_type("smsguard_plugins._cscripts.Detector",
                                "detect(message, text, features): the scam-script detector's body (see bind)",
                                sizeof(Detector), NULL);
    return detector_type == NULL ? NULL : dt_module(&scripts_module, detector_type);
}
