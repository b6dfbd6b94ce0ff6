/* smsguard._chost: the common case of the plugin host's detect loop (smsguard.host_detect.Detection.reference).
 *
 * DetectLoop.run calls each detector, times it with the clock of time.perf_counter and keeps the signals that
 * pass SignalCheck.well_formed's quick check (an exact Signal declared by the plugin, of the declared exact type,
 * in range) and hold an exact str in their plugin slot, stamping the plugin when that is another name. Every
 * other case goes back to the Python helpers of the Detection that owns the loop, at the point of the loop where
 * the reference calls them: a disabled plugin (Guard.skipped), a detector that takes arguments by unknown names
 * (call), an exception (raised), an answer other than None, a list or a tuple (listed), an overrun or a first
 * call (overran), a signal the quick check does not pass (emitted). Of the guard, only plain dict and set
 * operations are done here: that a plugin is not disabled, that its key is warmed, Guard.succeeded's pop. The
 * signal checks and the order are in host_signals.h.
 */
#include "host_signals.h"

/* Interned names: the hook, the Detection and Guard methods called back, list.sort. */
enum { N_DETECT, N_SKIPPED, N_SUCCEEDED, N_CALL, N_LISTED, N_RAISED, N_OVERRAN, N_EMITTED, N_SORT, NAMES };
static const char *const name_text[NAMES] = {
    "smsguard_detect", "skipped", "succeeded", "call", "listed", "raised", "overran", "emitted", "sort",
};

typedef struct {
    PyTypeObject *loop_type;
    PyObject *kw_key;           /* ("key",) */
    PyObject *names[NAMES];
} host_state;

/* The clock of time.perf_counter, as the float it returns. */
static int
perf_counter(double *seconds)
{
#if PY_VERSION_HEX >= 0x030D0000
    PyTime_t t;
    if (PyTime_PerfCounter(&t) < 0) {
        return -1;
    }
    *seconds = PyTime_AsSecondsDouble(t);
#else
    _PyTime_t t;
    if (_PyTime_GetPerfCounterWithInfo(&t, NULL) < 0) {
        return -1;
    }
    *seconds = _PyTime_AsSecondsDouble(t);
#endif
    return 0;
}

/* ---- the loop */

static const char *const signal_fields[] = {"name", "value", "confidence", "spans", "detail", "plugin", NULL};
enum { G_DISABLED, G_STREAKS, G_WARMED };
static const char *const guard_fields[] = {"disabled", "streaks", "warmed", NULL};

typedef struct {
    PyObject *plugin;           /* exact str */
    PyObject *function;
    PyObject *argnames;
    PyObject *key;              /* (plugin, "smsguard_detect"): the guard's key */
    Py_ssize_t nargs;           /* -1: Detection.call passes the arguments by name */
    int positions[3];           /* else: the index in (message, text, features) of each argument */
} detector;

typedef struct {
    PyObject_HEAD
    PyObject *owner;            /* the Detection, with the helpers of the rare cases */
    PyObject *accepted;         /* signal name -> (declaring plugin, (exact value type, ...)) */
    PyObject *order;            /* smsguard.signal_check.signal_order */
    sg_record signal;           /* Signal's slots: to stamp */
    sg_record guard;            /* Guard's slots: to read */
    Py_ssize_t count;
    detector *detectors;
} DetectLoop;

static int
loop_traverse(DetectLoop *self, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(self->owner);
    Py_VISIT(self->accepted);
    Py_VISIT(self->order);
    Py_VISIT(self->signal.type);
    Py_VISIT(self->guard.type);
    for (Py_ssize_t i = 0; i < self->count; i++) {
        Py_VISIT(self->detectors[i].function);
        Py_VISIT(self->detectors[i].argnames);
    }
    return 0;
}

static int
loop_clear(DetectLoop *self)
{
    Py_CLEAR(self->owner);
    Py_CLEAR(self->accepted);
    Py_CLEAR(self->order);
    sg_record_clear(&self->signal);
    sg_record_clear(&self->guard);
    for (Py_ssize_t i = 0; i < self->count; i++) {
        Py_CLEAR(self->detectors[i].plugin);
        Py_CLEAR(self->detectors[i].function);
        Py_CLEAR(self->detectors[i].argnames);
        Py_CLEAR(self->detectors[i].key);
    }
    self->count = 0;
    return 0;
}

static void
loop_dealloc(DetectLoop *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    loop_clear(self);
    PyMem_Free(self->detectors);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

/* One (plugin, function, argnames, key, positions) of the detectors. */
static int
detector_init(detector *d, PyObject *entry)
{
    PyObject *plugin, *function, *argnames, *key, *positions;
    if (!PyTuple_Check(entry)
        || !PyArg_ParseTuple(entry, "UOOO!O:DetectLoop", &plugin, &function, &argnames, &PyTuple_Type, &key,
                             &positions)) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_TypeError, "DetectLoop: a detector is (plugin, function, argnames, key, positions)");
        }
        return -1;
    }
    if (!PyUnicode_CheckExact(plugin) || (positions != Py_None && !PyTuple_CheckExact(positions))
        || (positions != Py_None && PyTuple_GET_SIZE(positions) > 3)) {
        PyErr_SetString(PyExc_TypeError, "DetectLoop: a detector's plugin is a str, its positions None or a tuple");
        return -1;
    }
    d->nargs = positions == Py_None ? -1 : PyTuple_GET_SIZE(positions);
    for (Py_ssize_t k = 0; k < d->nargs; k++) {
        long position = PyLong_AsLong(PyTuple_GET_ITEM(positions, k));
        if (position < 0 || position > 2) {
            if (!PyErr_Occurred()) {
                PyErr_SetString(PyExc_ValueError, "DetectLoop: an argument position is 0, 1 or 2");
            }
            return -1;
        }
        d->positions[k] = (int)position;
    }
    d->plugin = Py_NewRef(plugin);
    d->function = Py_NewRef(function);
    d->argnames = Py_NewRef(argnames);
    d->key = Py_NewRef(key);
    return 0;
}

/* DetectLoop(owner, detectors, accepted, signal_type, guard_type, order) */
static PyObject *
loop_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    PyObject *owner, *detectors, *accepted, *signal_type, *guard_type, *order, *name, *entry;
    if (kwargs != NULL && PyDict_GET_SIZE(kwargs) != 0) {
        PyErr_SetString(PyExc_TypeError, "DetectLoop() takes no keyword arguments");
        return NULL;
    }
    if (!PyArg_ParseTuple(args, "OO!O!OOO:DetectLoop", &owner, &PyList_Type, &detectors, &PyDict_Type, &accepted,
                          &signal_type, &guard_type, &order)) {
        return NULL;
    }
    for (Py_ssize_t pos = 0; PyDict_Next(accepted, &pos, &name, &entry);) {
        if (!PyTuple_CheckExact(entry) || PyTuple_GET_SIZE(entry) != 2
            || !PyUnicode_CheckExact(PyTuple_GET_ITEM(entry, 0)) || !PyTuple_CheckExact(PyTuple_GET_ITEM(entry, 1))) {
            PyErr_SetString(PyExc_TypeError, "DetectLoop: accepted maps a name to (plugin, (type, ...))");
            return NULL;
        }
    }
    DetectLoop *self = (DetectLoop *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    Py_ssize_t count = PyList_GET_SIZE(detectors);
    if ((self->detectors = PyMem_Calloc(count > 0 ? count : 1, sizeof(detector))) == NULL) {
        PyErr_NoMemory();
        goto error;
    }
    for (; self->count < count; self->count++) {
        if (detector_init(&self->detectors[self->count], PyList_GET_ITEM(detectors, self->count)) < 0) {
            goto error;
        }
    }
    self->owner = Py_NewRef(owner);
    self->accepted = Py_NewRef(accepted);
    self->order = Py_NewRef(order);
    if (sg_record_init(&self->signal, signal_type, signal_fields) < 0
        || sg_record_init(&self->guard, guard_type, guard_fields) < 0
        || sg_record_require_slots(&self->signal, "DetectLoop") < 0) {
        goto error;
    }
    return (PyObject *)self;

error:
    Py_DECREF(self);
    return NULL;
}

/* guard.<field>, a new reference, read through the Guard class's slot. */
static PyObject *
guard_get(DetectLoop *self, PyObject *guard, int field)
{
    PyObject *descr = self->guard.setters[field];
    return Py_TYPE(descr)->tp_descr_get(descr, guard, (PyObject *)Py_TYPE(guard));
}

/* Keep the signals of one answer (an exact list or tuple), in order. When it is the detector's own list
 * (``shared``), *emitted is replaced by a copy before the first call into Python, as list(answer) would be. */
static int
keep_signals(DetectLoop *self, host_state *st, detector *d, PyObject *guard, PyObject **emitted, int shared,
             PyObject *arguments, PyObject *length_obj, Py_ssize_t length, PyObject *signals, PyObject *failures)
{
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(*emitted); i++) {
        PyObject *signal = Py_NewRef(PySequence_Fast_GET_ITEM(*emitted, i));
        PyObject *stamp = NULL, *kept = NULL;
        int done = quick_check(signal, self->signal.type, self->signal.offsets, self->accepted, d->plugin, length,
                               &stamp);
        if (done > 0) {
            int same = sg_same_str(stamp, d->plugin);
            if (same > 0) {
                kept = Py_NewRef(signal);
            }
            else if (same == 0) {
                PyObject *values[SIGNAL_FIELDS];
                for (int f = 0; f < SIGNAL_FIELDS; f++) {
                    values[f] = SLOT(signal, self->signal.offsets[f]);
                }
                values[F_PLUGIN] = d->plugin;
                kept = sg_record_new(&self->signal, values);
            }
            done = kept != NULL && PyList_Append(signals, kept) == 0 ? 1 : -1;
            Py_XDECREF(kept);
        }
        else if (done == 0) {
            PyObject *copy = shared ? PySequence_List(*emitted) : NULL;
            if (copy != NULL) {
                Py_SETREF(*emitted, copy);
                shared = 0;
            }
            PyObject *args[] = {self->owner, guard, d->plugin, signal, length_obj, arguments, signals, failures};
            PyObject *none = shared ? NULL : PyObject_VectorcallMethod(st->names[N_EMITTED], args,
                                                                       8 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
            done = none != NULL ? 1 : -1;
            Py_XDECREF(none);
        }
        Py_DECREF(signal);
        if (done < 0) {
            return -1;
        }
    }
    return 0;
}

/* The answer of one detector, or NULL with an exception set. */
static PyObject *
call_detector(DetectLoop *self, host_state *st, detector *d, PyObject *arguments)
{
    if (d->nargs < 0) {
        PyObject *args[] = {self->owner, d->function, d->argnames, arguments};
        return PyObject_VectorcallMethod(st->names[N_CALL], args, 4 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
    }
    PyObject *args[4] = {NULL};
    for (Py_ssize_t k = 0; k < d->nargs; k++) {
        args[k + 1] = PyTuple_GET_ITEM(arguments, d->positions[k]);
    }
    return PyObject_Vectorcall(d->function, args + 1, d->nargs | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
}

/* The exception being raised, normalized, with its traceback, and cleared; NULL with another one set. */
static PyObject *
take_exception(void)
{
#if PY_VERSION_HEX >= 0x030C0000
    return PyErr_GetRaisedException();
#else
    PyObject *type, *value, *traceback;
    PyErr_Fetch(&type, &value, &traceback);
    PyErr_NormalizeException(&type, &value, &traceback);
    if (value == NULL) {
        PyErr_SetString(PyExc_SystemError, "DetectLoop: an exception without a value");
    }
    else if (traceback != NULL && PyException_SetTraceback(value, traceback) < 0) {
        Py_CLEAR(value);
    }
    Py_XDECREF(type);
    Py_XDECREF(traceback);
    return value;
#endif
}

/* `if guard.disabled: skipped = guard.skipped(plugin, DETECT)`, the failure recorded: 1 skipped, 0, -1 error. */
static int
skip_disabled(DetectLoop *self, host_state *st, detector *d, PyObject *guard, PyObject *failures)
{
    PyObject *disabled = guard_get(self, guard, G_DISABLED);
    if (disabled == NULL) {
        return -1;
    }
    /* Without a tracer, Guard.skipped is None and does nothing for a plugin that is not in the dict. */
    int ask = !PyDict_CheckExact(disabled) ? PyObject_IsTrue(disabled)
              : PyDict_GET_SIZE(disabled) == 0 ? 0 : PyDict_Contains(disabled, d->plugin);
    Py_DECREF(disabled);
    if (ask <= 0) {
        return ask;
    }
    PyObject *args[] = {guard, d->plugin, st->names[N_DETECT]};
    PyObject *skipped = PyObject_VectorcallMethod(st->names[N_SKIPPED], args, 3 | PY_VECTORCALL_ARGUMENTS_OFFSET,
                                                  NULL);
    if (skipped == NULL) {
        return -1;
    }
    int skip = skipped != Py_None;
    if (skip && PyList_Append(failures, skipped) < 0) {
        skip = -1;
    }
    Py_DECREF(skipped);
    return skip;
}

/* `if guard.streaks: guard.succeeded(plugin, DETECT)`, which pops the plugin's streak; -1 on error. */
static int
succeeded(DetectLoop *self, host_state *st, detector *d, PyObject *guard)
{
    PyObject *streaks = guard_get(self, guard, G_STREAKS);
    if (streaks == NULL) {
        return -1;
    }
    int result;
    if (PyDict_CheckExact(streaks)) {
        result = PyDict_GET_SIZE(streaks) == 0 ? 0 : PyDict_Contains(streaks, d->key);
        if (result > 0) {
            result = PyDict_DelItem(streaks, d->key);
        }
    }
    else if ((result = PyObject_IsTrue(streaks)) > 0) {
        PyObject *args[] = {guard, d->plugin, st->names[N_DETECT]};
        PyObject *none = PyObject_VectorcallMethod(st->names[N_SUCCEEDED], args, 3 | PY_VECTORCALL_ARGUMENTS_OFFSET,
                                                   NULL);
        result = none == NULL ? -1 : 0;
        Py_XDECREF(none);
    }
    Py_DECREF(streaks);
    return result < 0 ? -1 : 0;
}

/* Detection.overran: whether the answer is dropped (recorded), 1; 0 kept; -1 error. */
static int
overran(DetectLoop *self, host_state *st, detector *d, PyObject *guard, double elapsed, PyObject *length_obj,
        PyObject *failures)
{
    PyObject *seconds = PyFloat_FromDouble(elapsed);
    if (seconds == NULL) {
        return -1;
    }
    PyObject *args[] = {self->owner, guard, d->plugin, seconds, length_obj, failures};
    PyObject *dropped = PyObject_VectorcallMethod(st->names[N_OVERRAN], args, 6 | PY_VECTORCALL_ARGUMENTS_OFFSET,
                                                  NULL);
    Py_DECREF(seconds);
    if (dropped == NULL) {
        return -1;
    }
    int result = PyObject_IsTrue(dropped);
    Py_DECREF(dropped);
    return result;
}

/* One detector's turn; -1 with an exception set when the loop stops (where the reference's would). */
static int
run_one(DetectLoop *self, host_state *st, detector *d, PyObject *guard, PyObject *arguments, PyObject *length_obj,
        Py_ssize_t length, double budget, PyObject *warmed, PyObject *signals, PyObject *failures)
{
    int skip = skip_disabled(self, st, d, guard, failures);
    double started, stopped;
    if (skip != 0 || perf_counter(&started) < 0) {
        return skip > 0 ? 0 : -1;
    }
    PyObject *answer = call_detector(self, st, d, arguments);
    if (answer == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_Exception) && !PyErr_ExceptionMatches(PyExc_SystemExit)) {
            return -1;
        }
        PyObject *exc = take_exception();
        if (exc == NULL) {
            return -1;
        }
        PyObject *args[] = {self->owner, guard, d->plugin, exc, arguments, failures};
        PyObject *none = PyObject_VectorcallMethod(st->names[N_RAISED], args, 6 | PY_VECTORCALL_ARGUMENTS_OFFSET,
                                                   NULL);
        Py_DECREF(exc);
        Py_XDECREF(none);
        return none == NULL ? -1 : 0;
    }
    int shared = PyList_CheckExact(answer);
    PyObject *emitted = answer;     /* an exact list or tuple, or NULL: no signal */
    if (answer == Py_None) {
        Py_CLEAR(emitted);
    }
    else if (!shared && !PyTuple_CheckExact(answer)) {
        PyObject *args[] = {self->owner, guard, d->plugin, answer, arguments, failures};
        emitted = PyObject_VectorcallMethod(st->names[N_LISTED], args, 6 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
        Py_DECREF(answer);
        if (emitted == NULL || emitted == Py_None) {    /* None: reading it raised, and that is recorded */
            int result = emitted == NULL ? -1 : 0;
            Py_XDECREF(emitted);
            return result;
        }
        if (!PyList_CheckExact(emitted)) {
            PyErr_SetString(PyExc_TypeError, "DetectLoop: Detection.listed must return a list or None");
            goto error;
        }
    }
    if (perf_counter(&stopped) < 0) {
        goto error;
    }
    double elapsed = stopped - started;
    int warm = 0;
    if (!(elapsed > budget)) {
        warm = PySet_CheckExact(warmed) ? PySet_Contains(warmed, d->key) : PySequence_Contains(warmed, d->key);
        if (warm < 0) {
            goto error;
        }
    }
    if (!warm) {
        int dropped = overran(self, st, d, guard, elapsed, length_obj, failures);
        if (dropped != 0) {
            Py_XDECREF(emitted);
            return dropped < 0 ? -1 : 0;
        }
    }
    if (succeeded(self, st, d, guard) < 0
        || (emitted != NULL
            && keep_signals(self, st, d, guard, &emitted, shared, arguments, length_obj, length, signals, failures)
                   < 0)) {
        goto error;
    }
    Py_XDECREF(emitted);
    return 0;

error:
    Py_XDECREF(emitted);
    return -1;
}

/* signals.sort(key=signal_order): in place when the keys are plain, else list.sort with the key. */
static int
sort_signals(DetectLoop *self, host_state *st, PyObject *signals)
{
    int sorted = sort_plain(signals, self->signal.type, self->signal.offsets);
    if (sorted != 0) {
        return sorted < 0 ? -1 : 0;
    }
    PyObject *args[] = {signals, self->order};
    PyObject *none = PyObject_VectorcallMethod(st->names[N_SORT], args, 1 | PY_VECTORCALL_ARGUMENTS_OFFSET,
                                               st->kw_key);
    Py_XDECREF(none);
    return none == NULL ? -1 : 0;
}

/* run(guard, arguments, length, budget) -> (signals, failures) */
static PyObject *
loop_run(DetectLoop *self, PyObject *const *args, Py_ssize_t nargs)
{
    host_state *st = (host_state *)PyType_GetModuleState(Py_TYPE(self));
    if (st == NULL) {
        return NULL;
    }
    if (nargs != 4 || Py_TYPE(args[0]) != self->guard.type || !PyTuple_CheckExact(args[1])
        || PyTuple_GET_SIZE(args[1]) != 3 || !PyLong_CheckExact(args[2])
        || !(PyFloat_CheckExact(args[3]) || PyLong_CheckExact(args[3]))) {
        PyErr_SetString(PyExc_TypeError, "run() takes a Guard, (message, text, features), an int and a float");
        return NULL;
    }
    PyObject *guard = args[0], *arguments = args[1], *length_obj = args[2];
    Py_ssize_t length = PyLong_AsSsize_t(length_obj);
    if (length == -1 && PyErr_Occurred()) {
        return NULL;
    }
    double budget;
    if (PyFloat_CheckExact(args[3])) {
        budget = PyFloat_AS_DOUBLE(args[3]);
    }
    else {
        /* elapsed > budget compares a float with an int exactly; beyond a double's range, infinity does. */
        int overflow;
        if (PyLong_AsLongLongAndOverflow(args[3], &overflow) == -1 && PyErr_Occurred()) {
            return NULL;
        }
        budget = overflow ? (overflow > 0 ? HUGE_VAL : -HUGE_VAL) : PyLong_AsDouble(args[3]);
    }
    PyObject *signals = PyList_New(0), *failures = PyList_New(0), *warmed = NULL, *result = NULL;
    if (signals == NULL || failures == NULL || (warmed = guard_get(self, guard, G_WARMED)) == NULL) {
        goto done;
    }
    for (Py_ssize_t i = 0; i < self->count; i++) {
        if (run_one(self, st, &self->detectors[i], guard, arguments, length_obj, length, budget, warmed, signals,
                    failures) < 0) {
            goto done;
        }
    }
    if (sort_signals(self, st, signals) == 0) {
        result = PyTuple_Pack(2, signals, failures);
    }

done:
    Py_XDECREF(signals);
    Py_XDECREF(failures);
    Py_XDECREF(warmed);
    return result;
}

static PyMethodDef loop_methods[] = {
    {"run", (PyCFunction)(void (*)(void))loop_run, METH_FASTCALL,
     "run(guard, arguments, length, budget) -> (signals, failures): every detector's turn, the signals sorted"},
    {NULL, NULL, 0, NULL},
};

static PyType_Slot loop_slots[] = {
    {Py_tp_doc, "DetectLoop(owner, detectors, accepted, signal_type, guard_type, order): one host's detect loop"},
    {Py_tp_new, loop_new},
    {Py_tp_dealloc, loop_dealloc},
    {Py_tp_traverse, loop_traverse},
    {Py_tp_clear, loop_clear},
    {Py_tp_methods, loop_methods},
    {0, NULL},
};

static PyType_Spec loop_spec = {
    .name = "smsguard._chost.DetectLoop",
    .basicsize = sizeof(DetectLoop),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_IMMUTABLETYPE,
    .slots = loop_slots,
};

/* ---- the module */

static PyObject *
host_perf_counter(PyObject *module, PyObject *unused)
{
    double seconds;
    return perf_counter(&seconds) < 0 ? NULL : PyFloat_FromDouble(seconds);
}

static PyMethodDef host_methods[] = {
    {"perf_counter", host_perf_counter, METH_NOARGS, "perf_counter() -> float: the clock DetectLoop times with"},
    {NULL, NULL, 0, NULL},
};

static int
host_exec(PyObject *module)
{
    host_state *st = (host_state *)PyModule_GetState(module);
    for (int i = 0; i < NAMES; i++) {
        if ((st->names[i] = PyUnicode_InternFromString(name_text[i])) == NULL) {
            return -1;
        }
    }
    st->kw_key = Py_BuildValue("(s)", "key");
    st->loop_type = (PyTypeObject *)PyType_FromModuleAndSpec(module, &loop_spec, NULL);
    if (st->kw_key == NULL || st->loop_type == NULL) {
        return -1;
    }
    return PyModule_AddType(module, st->loop_type);
}

static int
host_traverse(PyObject *module, visitproc visit, void *arg)
{
    Py_VISIT(((host_state *)PyModule_GetState(module))->loop_type);
    return 0;
}

static int
host_clear(PyObject *module)
{
    host_state *st = (host_state *)PyModule_GetState(module);
    Py_CLEAR(st->loop_type);
    Py_CLEAR(st->kw_key);
    for (int i = 0; i < NAMES; i++) {
        Py_CLEAR(st->names[i]);
    }
    return 0;
}

static void
host_free(void *module)
{
    host_clear((PyObject *)module);
}

static PyModuleDef_Slot host_slots[] = {
    {Py_mod_exec, host_exec},
    {0, NULL},
};

static struct PyModuleDef host_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "smsguard._chost",
    .m_doc = "The plugin host's detect loop in C (see smsguard.host_detect).",
    .m_size = sizeof(host_state),
    .m_methods = host_methods,
    .m_slots = host_slots,
    .m_traverse = host_traverse,
    .m_clear = host_clear,
    .m_free = host_free,
};

PyMODINIT_FUNC
PyInit__chost(void)
{
    return PyModuleDef_Init(&host_module);
}
