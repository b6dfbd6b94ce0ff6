/* smsguard._cengine: the engine's per-message work around the rule closures and the verdict, in C.
 *
 * An Evaluator is built once per Engine from its compiled pack. ``evaluate`` (engine_rules.c) does what
 * Engine.evaluate does after the literal pass. ``verdict`` (engine_verdict.c) does what Engine._verdict does
 * (smsguard.scoring, the sort of the hits, the advice) and returns None when the pack or the hits hold values it
 * does not take (a weight that is not a float, a NaN, a hit of another class): the caller then runs the Python
 * reference. ``judgement`` builds the Judgement. ``conclude`` is Engine._conclude in one call when no plugin adjusts
 * verdicts: the literal pass, evaluate, the verdict and the Judgement, without the Python frames between them.
 */
#include "engine.h"

#include <math.h>

static const char *const context_fields[] = {
    "message", "ntext", "identity", "features", "signals", "found", "found_bits", "sender", "tokenizer",
    "prefilter", "rule_results", "failures", "_regex_cache", "_tokens", NULL};
static const char *const hit_fields[] = {"rule", "category", "weight", "title", "spans", "evidence", "pack", NULL};
static const char *const verdict_fields[] = {
    "category", "risk", "scores", "hits", "signals", "advice", "errors", "version", "category_title", NULL};
static const char *const signal_fields[] = {"name", NULL};
static const char *const judgement_fields[] = {
    "message", "text", "features", "signals", "rule_results", "verdict", NULL};
static const char *const message_fields[] = {"text", "sender", NULL};           /* as SG_MESSAGE_* in engine.h */
static const char *const ntext_fields[] = {"text", "starts", "ends", NULL};     /* as SG_NTEXT_* */
static const char *const features_fields[] = {"amounts", "signatures", "links", NULL};  /* the facts' order */

/* ---- construction */

/* tuple(dict.fromkeys(advice)) for a tuple of str, else None: the advice of a verdict no fired rule advises on */
static PyObject *
own_advice(PyObject *advice)
{
    if (!PyTuple_CheckExact(advice)) {
        Py_RETURN_NONE;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(advice); i++) {
        if (!PyUnicode_CheckExact(PyTuple_GET_ITEM(advice, i))) {
            Py_RETURN_NONE;
        }
    }
    PyObject *seen = PyDict_New(), *keys = NULL, *out = NULL;
    for (Py_ssize_t i = 0; seen != NULL && i < PyTuple_GET_SIZE(advice); i++) {
        if (PyDict_SetItem(seen, PyTuple_GET_ITEM(advice, i), Py_None) < 0) {
            Py_CLEAR(seen);
        }
    }
    if (seen != NULL && (keys = PyDict_Keys(seen)) != NULL) {
        out = PyList_AsTuple(keys);
        Py_DECREF(keys);
    }
    Py_XDECREF(seen);
    return out;
}

/* The categories, for the fast scoring path; it stays off for float subclasses, ints, NaN or repeated ids. */
static int
load_categories(Evaluator *self, PyObject *categories, PyObject *fallback)
{
    static const char *const names[] = {"id", "risk", "title", "advice", "threshold", "priority", NULL};
    if (!PyTuple_CheckExact(categories) || !PyUnicode_CheckExact(fallback)) {
        return 0;
    }
    if ((self->zero_scores = PyDict_New()) == NULL) {
        return -1;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(categories);
    if ((self->categories = PyMem_Calloc((size_t)n + 1, sizeof(CategoryInfo))) == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *f[6];
        if (sg_get_attrs(PyTuple_GET_ITEM(categories, i), names, f) < 0) {
            return -1;
        }
        CategoryInfo *info = &self->categories[self->ncategories++];
        *info = (CategoryInfo){f[0], f[1], f[2], f[3], NULL, 0.0, 0.0, 0};
        int fast = PyUnicode_CheckExact(f[0]) && PyFloat_CheckExact(f[4]) && PyFloat_CheckExact(f[5]);
        if (fast) {
            info->threshold = PyFloat_AS_DOUBLE(f[4]);
            info->priority = PyFloat_AS_DOUBLE(f[5]);
            fast = !isnan(info->threshold) && !isnan(info->priority);
        }
        Py_DECREF(f[4]);
        Py_DECREF(f[5]);
        int known = fast ? PyDict_Contains(self->category_index, f[0]) : 1;
        if (known != 0) {
            return known < 0 ? -1 : 0;
        }
        PyObject *index = PyLong_FromSsize_t(i);
        if (index == NULL || PyDict_SetItem(self->category_index, f[0], index) < 0) {
            Py_XDECREF(index);
            return -1;
        }
        Py_DECREF(index);
        info->is_fallback = PyUnicode_Compare(f[0], fallback) == 0;
        if (info->is_fallback && self->fallback_index < 0) {
            self->fallback_index = i;
        }
        PyObject *zero = PyFloat_FromDouble(0.0);
        int rc = zero == NULL ? -1 : PyDict_SetItem(self->zero_scores, f[0], zero);
        Py_XDECREF(zero);
        if (rc < 0 || (info->own_advice = own_advice(f[3])) == NULL) {
            return -1;
        }
        if (info->own_advice == Py_None) {
            Py_CLEAR(info->own_advice);
        }
    }
    self->fast_scoring = 1;
    return 0;
}

static PyObject *
Evaluator_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    PyObject *rules, *plan, *fact_names, *tokenizer, *categories, *fallback, *advice_of, *version, *classes, *helpers;
    static char *kwlist[] = {"rules", "plan", "fact_names", "tokenizer", "categories", "fallback", "advice_of",
                             "version", "classes", "helpers", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOOOOOO!OO!O!:Evaluator", kwlist, &rules, &plan, &fact_names,
                                     &tokenizer, &categories, &fallback, &PyDict_Type, &advice_of, &version,
                                     &PyTuple_Type, &classes, &PyTuple_Type, &helpers)) {
        return NULL;
    }
    if (PyTuple_GET_SIZE(classes) != 9 || PyTuple_GET_SIZE(helpers) != 3) {
        PyErr_SetString(PyExc_TypeError, "Evaluator: 9 classes and 3 helpers");
        return NULL;
    }
    Evaluator *self = (Evaluator *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    self->fallback_index = -1;
    self->tokenizer = Py_NewRef(tokenizer);
    self->fallback = Py_NewRef(fallback);
    self->advice_of = Py_NewRef(advice_of);
    self->version = Py_NewRef(version);
    self->rule_aborted = Py_NewRef(PyTuple_GET_ITEM(classes, 4));
    self->normalize_sender = Py_NewRef(PyTuple_GET_ITEM(helpers, 0));
    self->hit_parts = Py_NewRef(PyTuple_GET_ITEM(helpers, 1));
    self->fsum = Py_NewRef(PyTuple_GET_ITEM(helpers, 2));
    if ((self->none_risk = PyUnicode_InternFromString("none")) == NULL || (self->category_index = PyDict_New()) == NULL
        || sg_record_init(&self->context_rec, PyTuple_GET_ITEM(classes, 0), context_fields) < 0
        || sg_record_init(&self->hit_rec, PyTuple_GET_ITEM(classes, 1), hit_fields) < 0
        || sg_record_init(&self->verdict_rec, PyTuple_GET_ITEM(classes, 2), verdict_fields) < 0
        || sg_record_init(&self->judgement_rec, PyTuple_GET_ITEM(classes, 3), judgement_fields) < 0
        || sg_record_init(&self->signal_rec, PyTuple_GET_ITEM(classes, 5), signal_fields) < 0
        || sg_record_init(&self->message_rec, PyTuple_GET_ITEM(classes, 6), message_fields) < 0
        || sg_record_init(&self->ntext_rec, PyTuple_GET_ITEM(classes, 7), ntext_fields) < 0
        || sg_record_init(&self->features_rec, PyTuple_GET_ITEM(classes, 8), features_fields) < 0
        || sg_engine_load_rules(self, rules, plan, fact_names) < 0
        || load_categories(self, categories, fallback) < 0) {
        Py_DECREF(self);
        return NULL;
    }
    self->ready = 1;
    return (PyObject *)self;
}

static int
Evaluator_traverse(Evaluator *self, visitproc visit, void *arg)
{
    for (Py_ssize_t i = 0; i < self->nrules; i++) {
        Py_VISIT(self->rules[i].evaluate);
    }
    for (Py_ssize_t i = 0; i < self->ncategories; i++) {
        Py_VISIT(self->categories[i].advice);
        Py_VISIT(self->categories[i].own_advice);
    }
    Py_VISIT(self->tokenizer);
    Py_VISIT(self->advice_of);
    Py_VISIT(self->version);
    Py_VISIT(self->rule_aborted);
    Py_VISIT(self->normalize_sender);
    Py_VISIT(self->hit_parts);
    Py_VISIT(self->fsum);
    return 0;
}

static int
Evaluator_clear(Evaluator *self)
{
    self->ready = 0;  /* the methods refuse to run from here on */
    for (Py_ssize_t i = 0; i < self->nrules; i++) {
        RuleInfo *info = &self->rules[i];
        Py_CLEAR(info->evaluate);
        Py_CLEAR(info->id);
        Py_CLEAR(info->category);
        Py_CLEAR(info->weight);
        Py_CLEAR(info->title);
        Py_CLEAR(info->pack);
    }
    for (Py_ssize_t i = 0; i < self->ncategories; i++) {
        CategoryInfo *info = &self->categories[i];
        Py_CLEAR(info->id);
        Py_CLEAR(info->risk);
        Py_CLEAR(info->title);
        Py_CLEAR(info->advice);
        Py_CLEAR(info->own_advice);
    }
    for (int i = 0; i < N_FACTS; i++) {
        Py_CLEAR(self->fact[i]);
    }
    PyObject **refs[] = {&self->literal,  &self->signal,   &self->tokenizer,        &self->category_index,
                         &self->fallback, &self->none_risk, &self->advice_of,       &self->version,
                         &self->fsum,     &self->hit_parts, &self->normalize_sender, &self->rule_aborted,
                         &self->zero_scores};
    for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
        Py_CLEAR(*refs[i]);
    }
    sg_record_clear(&self->context_rec);
    sg_record_clear(&self->hit_rec);
    sg_record_clear(&self->verdict_rec);
    sg_record_clear(&self->judgement_rec);
    sg_record_clear(&self->signal_rec);
    sg_record_clear(&self->message_rec);
    sg_record_clear(&self->ntext_rec);
    sg_record_clear(&self->features_rec);
    return 0;
}

static void
Evaluator_dealloc(Evaluator *self)
{
    PyObject_GC_UnTrack(self);
    Evaluator_clear(self);
    PyMem_Free(self->rules);
    PyMem_Free(self->categories);
    PyMem_Free(self->always);
    PyMem_Free(self->by_literal);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *
Evaluator_verdict(Evaluator *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "verdict() takes hits, signals, failures");
        return NULL;
    }
    if (!sg_engine_ready(self)) {
        return NULL;
    }
    if (!self->fast_scoring || !PyList_CheckExact(args[0])) {
        Py_RETURN_NONE;
    }
    return sg_engine_make_verdict(self, args[0], args[1], args[2], 1);
}

/* tuple(results) of a list of rule results; the items are moved, not copied, when nobody else holds the list */
static PyObject *
results_tuple(PyObject *results)
{
    if (!PyList_CheckExact(results) || Py_REFCNT(results) != 1) {
        return PySequence_Tuple(results);
    }
    Py_ssize_t n = PyList_GET_SIZE(results);
    PyObject *out = PyTuple_New(n);
    if (out != NULL) {
        PyListObject *list = (PyListObject *)results;
        memcpy(((PyTupleObject *)out)->ob_item, list->ob_item, sizeof(PyObject *) * (size_t)n);
        Py_SET_SIZE(list, 0);  /* the list no longer owns the references it handed over */
    }
    return out;
}

static PyObject *
Evaluator_judgement(Evaluator *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 6) {
        PyErr_SetString(PyExc_TypeError, "judgement() takes message, text, features, signals, rule_results, verdict");
        return NULL;
    }
    if (!sg_engine_ready(self)) {
        return NULL;
    }
    PyObject *signals = PySequence_Tuple(args[3]), *results = NULL, *out = NULL;
    if (signals != NULL && (results = PySequence_Tuple(args[4])) != NULL) {
        PyObject *values[] = {args[0], args[1], args[2], signals, results, args[5]};
        out = sg_record_new(&self->judgement_rec, values);
    }
    Py_XDECREF(signals);
    Py_XDECREF(results);
    return out;
}

/* Engine._conclude when no plugin adjusts verdicts: the literal pass (``find_spans``), evaluate, the verdict and
 * the Judgement in one call. None, before anything is done, where the Python must do it (see plain_hits). */
static PyObject *
Evaluator_conclude(Evaluator *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 6) {
        PyErr_SetString(PyExc_TypeError, "conclude() takes message, ntext, features, signals, failures, find_spans");
        return NULL;
    }
    if (!sg_engine_ready(self)) {
        return NULL;
    }
    if (!self->fast_scoring || !self->plain_hits) {
        Py_RETURN_NONE;
    }
    PyObject *message = args[0], *ntext = args[1], *features = args[2], *failures = args[4];
    PyObject *text, *found, *results = NULL, *hits = NULL, *signals = NULL, *verdict = NULL, *rule_results = NULL;
    PyObject *out = NULL;
    if ((text = sg_field_get(&self->ntext_rec, SG_NTEXT_TEXT, ntext, sg_str_text)) == NULL) {
        return NULL;
    }
    found = PyObject_CallOneArg(args[5], text);
    Py_DECREF(text);
    if (found == NULL) {
        return NULL;
    }
    int rc = sg_engine_run(self, message, ntext, features, args[3], failures, found, &results, &hits);
    Py_DECREF(found);
    if (rc < 0 || (signals = PySequence_Tuple(args[3])) == NULL
        || (verdict = sg_engine_make_verdict(self, hits, signals, failures, 0)) == NULL) {
        goto done;
    }
    if (verdict == Py_None) {  /* plain_hits promises hits sg_engine_make_verdict takes */
        PyErr_SetString(PyExc_SystemError, "conclude(): a hit the verdict does not take");
        goto done;
    }
    if ((rule_results = results_tuple(results)) != NULL) {
        PyObject *values[] = {message, ntext, features, signals, rule_results, verdict};
        out = sg_record_new(&self->judgement_rec, values);
    }
done:
    Py_XDECREF(results);
    Py_XDECREF(hits);
    Py_XDECREF(signals);
    Py_XDECREF(verdict);
    Py_XDECREF(rule_results);
    return out;
}

static PyMethodDef Evaluator_methods[] = {
    {"evaluate", (PyCFunction)(void (*)(void))sg_engine_evaluate, METH_FASTCALL,
     "evaluate(message, ntext, features, signals, failures, found) -> (rule_results, hits)"},
    {"verdict", (PyCFunction)(void (*)(void))Evaluator_verdict, METH_FASTCALL,
     "verdict(hits, signals, failures) -> Verdict, or None where the Python reference must decide"},
    {"judgement", (PyCFunction)(void (*)(void))Evaluator_judgement, METH_FASTCALL,
     "judgement(message, text, features, signals, rule_results, verdict) -> Judgement"},
    {"conclude", (PyCFunction)(void (*)(void))Evaluator_conclude, METH_FASTCALL,
     "conclude(message, ntext, features, signals, failures, find_spans) -> Judgement, or None where the Python "
     "reference must do it"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject EvaluatorType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "smsguard._cengine.Evaluator",
    .tp_basicsize = sizeof(Evaluator),
    .tp_dealloc = (destructor)Evaluator_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "The engine's per-message evaluation and verdict for one compiled pack.",
    .tp_traverse = (traverseproc)Evaluator_traverse,
    .tp_clear = (inquiry)Evaluator_clear,
    .tp_methods = Evaluator_methods,
    .tp_new = Evaluator_new,
};

static struct PyModuleDef engine_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "smsguard._cengine",
    .m_doc = "The engine's per-message work around the rule closures and the verdict, in C.",
    .m_size = -1,
};

PyMODINIT_FUNC
PyInit__cengine(void)
{
    if (sg_engine_rules_init() < 0 || PyType_Ready(&EvaluatorType) < 0) {
        return NULL;
    }
    PyObject *module = PyModule_Create(&engine_module);
    if (module == NULL) {
        return NULL;
    }
    if (PyModule_AddObjectRef(module, "Evaluator", (PyObject *)&EvaluatorType) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
