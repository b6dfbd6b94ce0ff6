/* smsguard._cjudge: Engine.judge of one message in one C call (built by smsguard.engine_judge).
 *
 * Judge.judge(message) does what Engine.judge does, under the engine's lock, when every stage has its C
 * version: the fast path of check_input, Plan.normalize, extract, DetectLoop.run with the guard's budget and
 * Evaluator.conclude, each called through the object the engine itself would use. It saves the Python frames
 * between them (Engine.judge, _judge_one, check_input, Normalizer.normalize_any, PluginHost.detect,
 * Detection.run, Guard.budget_for, _conclude), a tenth of the whole on the native path.
 *
 * What the Python decides per message is checked per message: the engine attributes the path reads ("pins":
 * owner, attribute name, the value the Judge was built with) must still hold those values, the guard must be an
 * exact Guard with no tracer and a plain budget, the message an exact Message of plain field types within the
 * budget's length. Where one does not hold, or the plan leaves the text to the Python normalizer, the whole
 * message goes to Engine._judge_one before anything else is done; where conclude answers None, the rest goes to
 * Engine._conclude. Either way the lock is held as Engine.judge holds it.
 */
#include "common.h"

enum { M_TEXT, M_SENDER, M_RECEIVED_AT, M_META, M_FIELDS };
static const char *const message_fields[] = {"text", "sender", "received_at", "meta", NULL};
enum { G_TRACER, G_BUDGET, G_FIELDS };
static const char *const guard_fields[] = {"tracer", "time_budget_s", NULL};

typedef struct {
    PyObject *judge_one;        /* "_judge_one" */
    PyObject *conclude;         /* "_conclude" */
    PyObject *guard;            /* "guard" */
    PyTypeObject *judge_type;
} judge_state;

typedef struct {
    PyObject *owner;
    PyObject *name;             /* an interned str */
    PyObject *value;
} pin;

typedef struct {
    PyObject_HEAD
    PyObject *engine;
    PyObject *host;             /* host.guard is read per message */
    PyObject *acquire;          /* the engine lock's bound acquire and release */
    PyObject *release;
    PyObject *normalize;        /* Plan.normalize, bound */
    PyObject *extract;
    PyObject *detect;           /* DetectLoop.run, bound */
    PyObject *conclude;         /* Evaluator.conclude, bound; None: Engine._conclude does it */
    PyObject *find_spans;
    Py_ssize_t budget_chars;    /* a longer message's budget is scaled (Guard.budget_for): the Python does it */
    sg_record message;          /* Message's slots, read */
    sg_record guard;            /* Guard's slots, read */
    Py_ssize_t pin_count;
    pin *pins;
} Judge;

static int
judge_traverse(Judge *self, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(self->engine);
    Py_VISIT(self->host);
    Py_VISIT(self->acquire);
    Py_VISIT(self->release);
    Py_VISIT(self->normalize);
    Py_VISIT(self->extract);
    Py_VISIT(self->detect);
    Py_VISIT(self->conclude);
    Py_VISIT(self->find_spans);
    Py_VISIT(self->message.type);
    Py_VISIT(self->guard.type);
    for (Py_ssize_t i = 0; i < self->pin_count; i++) {
        Py_VISIT(self->pins[i].owner);
        Py_VISIT(self->pins[i].value);
    }
    return 0;
}

static int
judge_clear(Judge *self)
{
    Py_CLEAR(self->engine);
    Py_CLEAR(self->host);
    Py_CLEAR(self->acquire);
    Py_CLEAR(self->release);
    Py_CLEAR(self->normalize);
    Py_CLEAR(self->extract);
    Py_CLEAR(self->detect);
    Py_CLEAR(self->conclude);
    Py_CLEAR(self->find_spans);
    sg_record_clear(&self->message);
    sg_record_clear(&self->guard);
    for (Py_ssize_t i = 0; i < self->pin_count; i++) {
        Py_CLEAR(self->pins[i].owner);
        Py_CLEAR(self->pins[i].name);
        Py_CLEAR(self->pins[i].value);
    }
    self->pin_count = 0;
    return 0;
}

static void
judge_dealloc(Judge *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    judge_clear(self);
    PyMem_Free(self->pins);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

static int
pins_init(Judge *self, PyObject *pins)
{
    if (!PyTuple_CheckExact(pins)) {
        PyErr_SetString(PyExc_TypeError, "Judge: pins must be a tuple of (owner, name, value)");
        return -1;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(pins);
    self->pins = PyMem_Calloc(n > 0 ? (size_t)n : 1, sizeof(pin));
    if (self->pins == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *entry = PyTuple_GET_ITEM(pins, i);
        if (!PyTuple_CheckExact(entry) || PyTuple_GET_SIZE(entry) != 3
            || !PyUnicode_CheckExact(PyTuple_GET_ITEM(entry, 1))) {
            PyErr_SetString(PyExc_TypeError, "Judge: pins must be a tuple of (owner, name, value)");
            return -1;
        }
        pin *p = &self->pins[i];
        p->owner = Py_NewRef(PyTuple_GET_ITEM(entry, 0));
        p->name = Py_NewRef(PyTuple_GET_ITEM(entry, 1));
        PyUnicode_InternInPlace(&p->name);
        p->value = Py_NewRef(PyTuple_GET_ITEM(entry, 2));
        self->pin_count = i + 1;
    }
    return 0;
}

/* Judge(engine, host, lock, normalize, extract, detect, conclude, find_spans, message_type, guard_type,
 *       budget_chars, pins) */
static PyObject *
judge_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    PyObject *engine, *host, *lock, *normalize, *extract, *detect, *conclude, *find_spans, *message_type,
        *guard_type, *pins;
    Py_ssize_t budget_chars;
    if (kwds != NULL && PyDict_GET_SIZE(kwds) > 0) {
        PyErr_SetString(PyExc_TypeError, "Judge() takes no keyword arguments");
        return NULL;
    }
    if (!PyArg_ParseTuple(args, "OOOOOOOOOOnO:Judge", &engine, &host, &lock, &normalize, &extract, &detect,
                             &conclude, &find_spans, &message_type, &guard_type, &budget_chars, &pins)) {
        return NULL;
    }
    Judge *self = (Judge *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    self->engine = Py_NewRef(engine);
    self->host = Py_NewRef(host);
    self->normalize = Py_NewRef(normalize);
    self->extract = Py_NewRef(extract);
    self->detect = Py_NewRef(detect);
    self->conclude = Py_NewRef(conclude);
    self->find_spans = Py_NewRef(find_spans);
    self->budget_chars = budget_chars;
    if ((self->acquire = PyObject_GetAttrString(lock, "acquire")) == NULL
        || (self->release = PyObject_GetAttrString(lock, "release")) == NULL
        || sg_record_init(&self->message, message_type, message_fields) < 0 || sg_record_require_slots(&self->message, "Judge") < 0
        || sg_record_init(&self->guard, guard_type, guard_fields) < 0 || sg_record_require_slots(&self->guard, "Judge") < 0
        || pins_init(self, pins) < 0) {
        Py_DECREF(self);
        return NULL;
    }
    return (PyObject *)self;
}

/* 1 when every pin holds, 0 when one does not, -1 with an exception set. */
static int
pins_hold(Judge *self)
{
    for (Py_ssize_t i = 0; i < self->pin_count; i++) {
        pin *p = &self->pins[i];
        PyObject *value = PyObject_GetAttr(p->owner, p->name);
        if (value == NULL) {
            if (!PyErr_ExceptionMatches(PyExc_AttributeError)) {
                return -1;
            }
            PyErr_Clear();
            return 0;
        }
        Py_DECREF(value);   /* only its identity is compared */
        if (value != p->value) {
            return 0;
        }
    }
    return 1;
}

/* Whether check_input's fast path passes ``message``: an exact str text, a str or no sender, no time, a dict. */
static int
plain_message(Judge *self, PyObject *message)
{
    if (Py_TYPE(message) != self->message.type) {
        return 0;
    }
    PyObject *text = sg_slot_borrow(&self->message, message, M_TEXT), *sender = sg_slot_borrow(&self->message, message, M_SENDER);
    PyObject *meta = sg_slot_borrow(&self->message, message, M_META);
    return text != NULL && PyUnicode_CheckExact(text) && sender != NULL
           && (sender == Py_None || PyUnicode_CheckExact(sender))
           && sg_slot_borrow(&self->message, message, M_RECEIVED_AT) == Py_None && meta != NULL && PyDict_CheckExact(meta)
           && PyUnicode_GET_LENGTH(text) <= self->budget_chars;
}

/* The stages after the checks: NULL with an exception, or a Judgement; *handled = 0 when the plan left the text
 * to the Python normalizer, before any stage with a side effect ran (Engine._judge_one then does it all). */
static PyObject *
judge_stages(Judge *self, judge_state *st, PyObject *message, PyObject *guard, PyObject *budget, int *handled)
{
    PyObject *text = sg_slot_borrow(&self->message, message, M_TEXT);
    PyObject *normalize_args[] = {text, Py_True};
    PyObject *ntext = PyObject_Vectorcall(self->normalize, normalize_args, 2, NULL);
    if (ntext == NULL || ntext == Py_None) {
        *handled = ntext != Py_None;
        Py_XDECREF(ntext);
        return NULL;
    }
    *handled = 1;
    PyObject *features = NULL, *arguments = NULL, *length = NULL, *detected = NULL, *judgement = NULL;
    if ((features = PyObject_CallOneArg(self->extract, ntext)) == NULL
        || (arguments = PyTuple_Pack(3, message, ntext, features)) == NULL
        || (length = PyLong_FromSsize_t(PyUnicode_GET_LENGTH(text))) == NULL) {
        goto done;
    }
    PyObject *detect_args[] = {guard, arguments, length, budget};
    if ((detected = PyObject_Vectorcall(self->detect, detect_args, 4, NULL)) == NULL) {
        goto done;
    }
    if (!PyTuple_CheckExact(detected) || PyTuple_GET_SIZE(detected) != 2) {
        PyErr_SetString(PyExc_SystemError, "Judge: DetectLoop.run must return (signals, failures)");
        goto done;
    }
    PyObject *signals = PyTuple_GET_ITEM(detected, 0), *failures = PyTuple_GET_ITEM(detected, 1);
    if (self->conclude != Py_None) {
        PyObject *conclude_args[] = {message, ntext, features, signals, failures, self->find_spans};
        judgement = PyObject_Vectorcall(self->conclude, conclude_args, 6, NULL);
        if (judgement != Py_None) {
            goto done;
        }
        Py_CLEAR(judgement);
    }
    PyObject *method_args[] = {self->engine, message, ntext, features, signals, failures};
    judgement = PyObject_VectorcallMethod(st->conclude, method_args, 6 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);

done:
    Py_DECREF(ntext);
    Py_XDECREF(features);
    Py_XDECREF(arguments);
    Py_XDECREF(length);
    Py_XDECREF(detected);
    return judgement;
}

/* What the checks decide without the lock: 1 the C path, 0 the Python one, -1 an exception. */
static int
judge_checks(Judge *self, judge_state *st, PyObject *message, PyObject **guard)
{
    *guard = NULL;
    int held = pins_hold(self);
    if (held <= 0 || !plain_message(self, message)) {
        return held < 0 ? -1 : 0;
    }
    if ((*guard = PyObject_GetAttr(self->host, st->guard)) == NULL) {
        return -1;
    }
    if (Py_TYPE(*guard) != self->guard.type || sg_slot_borrow(&self->guard, *guard, G_TRACER) != Py_None) {
        return 0;
    }
    PyObject *budget = sg_slot_borrow(&self->guard, *guard, G_BUDGET);
    return budget != NULL && (PyFloat_CheckExact(budget) || PyLong_CheckExact(budget));
}

/* judge(message) -> Judgement */
static PyObject *
judge_judge(Judge *self, PyObject *message)
{
    judge_state *st = (judge_state *)PyType_GetModuleState(Py_TYPE(self));
    if (st == NULL) {
        return NULL;
    }
    PyObject *locked = PyObject_CallNoArgs(self->acquire);
    if (locked == NULL) {
        return NULL;
    }
    Py_DECREF(locked);
    PyObject *guard, *judgement = NULL;
    int fast = judge_checks(self, st, message, &guard);
    int handled = 0;
    if (fast > 0) {
        /* held: a plugin may give the guard another budget while the stages run */
        PyObject *budget = Py_NewRef(sg_slot_borrow(&self->guard, guard, G_BUDGET));
        judgement = judge_stages(self, st, message, guard, budget, &handled);
        Py_DECREF(budget);
    }
    if (fast == 0 || (fast > 0 && !handled)) {
        PyObject *method_args[] = {self->engine, message};
        judgement = PyObject_VectorcallMethod(st->judge_one, method_args, 2 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
    }
    Py_XDECREF(guard);
    PyObject *type, *value, *traceback;
    PyErr_Fetch(&type, &value, &traceback);
    PyObject *unlocked = PyObject_CallNoArgs(self->release);
    if (unlocked == NULL) {
        /* releasing failed (another exception): it replaces the judgement or the first exception */
        Py_XDECREF(type);
        Py_XDECREF(value);
        Py_XDECREF(traceback);
        Py_XDECREF(judgement);
        return NULL;
    }
    Py_DECREF(unlocked);
    PyErr_Restore(type, value, traceback);
    return judgement;
}

static PyMethodDef judge_methods[] = {
    {"judge", (PyCFunction)judge_judge, METH_O, "judge(message) -> Judgement: Engine.judge(message)"},
    {NULL, NULL, 0, NULL},
};

static PyType_Slot judge_slots[] = {
    {Py_tp_doc, "Judge(engine, host, lock, normalize, extract, detect, conclude, find_spans, message_type, "
                "guard_type, budget_chars, pins): one engine's judging path in C"},
    {Py_tp_new, judge_new},
    {Py_tp_dealloc, judge_dealloc},
    {Py_tp_traverse, judge_traverse},
    {Py_tp_clear, judge_clear},
    {Py_tp_methods, judge_methods},
    {0, NULL},
};

static PyType_Spec judge_spec = {
    .name = "smsguard._cjudge.Judge",
    .basicsize = sizeof(Judge),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_IMMUTABLETYPE,
    .slots = judge_slots,
};

/* ---- the module */

static int
judge_exec(PyObject *module)
{
    judge_state *st = (judge_state *)PyModule_GetState(module);
    if ((st->judge_one = PyUnicode_InternFromString("_judge_one")) == NULL
        || (st->conclude = PyUnicode_InternFromString("_conclude")) == NULL
        || (st->guard = PyUnicode_InternFromString("guard")) == NULL) {
        return -1;
    }
    st->judge_type = (PyTypeObject *)PyType_FromModuleAndSpec(module, &judge_spec, NULL);
    if (st->judge_type == NULL) {
        return -1;
    }
    return PyModule_AddType(module, st->judge_type);
}

static int
judge_module_traverse(PyObject *module, visitproc visit, void *arg)
{
    Py_VISIT(((judge_state *)PyModule_GetState(module))->judge_type);
    return 0;
}

static int
judge_module_clear(PyObject *module)
{
    judge_state *st = (judge_state *)PyModule_GetState(module);
    Py_CLEAR(st->judge_type);
    Py_CLEAR(st->judge_one);
    Py_CLEAR(st->conclude);
    Py_CLEAR(st->guard);
    return 0;
}

static void
judge_module_free(void *module)
{
    judge_module_clear((PyObject *)module);
}

static PyModuleDef_Slot judge_module_slots[] = {
    {Py_mod_exec, judge_exec},
    {0, NULL},
};

static struct PyModuleDef judge_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "smsguard._cjudge",
    .m_doc = "Engine.judge of one message in one C call (see smsguard.engine_judge).",
    .m_size = sizeof(judge_state),
    .m_slots = judge_module_slots,
    .m_traverse = judge_module_traverse,
    .m_clear = judge_module_clear,
    .m_free = judge_module_free,
};

PyMODINIT_FUNC
PyInit__cjudge(void)
{
    return PyModuleDef_Init(&judge_module);
}
