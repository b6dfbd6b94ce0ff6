/* smsguard._cengine: the engine's per-message work around the rule closures and the verdict, in C.
 *
 * An Evaluator is built once per Engine from its compiled pack. ``evaluate`` (engine_rules.c) does what
 * Engine.evaluate does after the literal pass. ``verdict`` does what Engine._verdict does (smsguard.scoring, the
 * sort of the hits, the advice) and returns None when the pack or the hits hold values it does not take (a weight
 * that is not a float, a NaN, a hit of another class): the caller then runs the Python reference. ``judgement``
 * builds the Judgement. Float arithmetic is done in the Python reference's order, so the scores are the same bits.
 */
#include "engine.h"

#include <math.h>

static const char *const context_fields[] = {
    "message", "ntext", "identity", "features", "signals", "found", "sender", "tokenizer", "prefilter",
    "rule_results", "failures", "_regex_cache", "_tokens", NULL};
static const char *const hit_fields[] = {"rule", "category", "weight", "title", "spans", "evidence", "pack", NULL};
static const char *const verdict_fields[] = {
    "category", "risk", "scores", "hits", "signals", "advice", "errors", "version", "category_title", NULL};
static const char *const judgement_fields[] = {
    "message", "text", "features", "signals", "rule_results", "verdict", NULL};

/* ---- construction */

/* The categories, for the fast scoring path; it stays off for float subclasses, ints, NaN or repeated ids. */
static int
load_categories(Evaluator *self, PyObject *categories, PyObject *fallback)
{
    static const char *const names[] = {"id", "risk", "title", "advice", "threshold", "priority", NULL};
    if (!PyTuple_CheckExact(categories) || !PyUnicode_CheckExact(fallback)) {
        return 0;
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
        *info = (CategoryInfo){f[0], f[1], f[2], f[3], 0.0, 0.0, 0};
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
    if (PyTuple_GET_SIZE(classes) != 5 || PyTuple_GET_SIZE(helpers) != 3) {
        PyErr_SetString(PyExc_TypeError, "Evaluator: 5 classes and 3 helpers");
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
    }
    for (int i = 0; i < N_FACTS; i++) {
        Py_CLEAR(self->fact[i]);
    }
    PyObject **refs[] = {&self->literal,  &self->signal,   &self->tokenizer,        &self->category_index,
                         &self->fallback, &self->none_risk, &self->advice_of,       &self->version,
                         &self->fsum,     &self->hit_parts, &self->normalize_sender, &self->rule_aborted};
    for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
        Py_CLEAR(*refs[i]);
    }
    sg_record_clear(&self->context_rec);
    sg_record_clear(&self->hit_rec);
    sg_record_clear(&self->verdict_rec);
    sg_record_clear(&self->judgement_rec);
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
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* ---- verdict */

typedef struct {
    PyObject *hit, *category, *rule;  /* strong references */
    double weight, neg_score;
    Py_ssize_t index;                 /* of the hit's category, -1 when the pack does not declare it */
} HitKey;

/* The sort key of Engine._verdict: (-score, category, -weight, rule). */
static int
key_less(const HitKey *a, const HitKey *b)
{
    if (a->neg_score != b->neg_score) {
        return a->neg_score < b->neg_score;
    }
    int c = a->category == b->category ? 0 : PyUnicode_Compare(a->category, b->category);
    if (c != 0) {
        return c < 0;
    }
    if (-a->weight != -b->weight) {
        return -a->weight < -b->weight;
    }
    return a->rule != b->rule && PyUnicode_Compare(a->rule, b->rule) < 0;
}

static void
stable_sort(HitKey *keys, HitKey *tmp, Py_ssize_t n)
{
    if (n <= 8) {
        for (Py_ssize_t i = 1; i < n; i++) {
            HitKey x = keys[i];
            Py_ssize_t j = i;
            for (; j > 0 && key_less(&x, &keys[j - 1]); j--) {
                keys[j] = keys[j - 1];
            }
            keys[j] = x;
        }
        return;
    }
    Py_ssize_t mid = n / 2, i = 0, j = mid, k = 0;
    stable_sort(keys, tmp, mid);
    stable_sort(keys + mid, tmp, n - mid);
    while (i < mid && j < n) {
        tmp[k++] = key_less(&keys[j], &keys[i]) ? keys[j++] : keys[i++];
    }
    while (i < mid) {
        tmp[k++] = keys[i++];
    }
    while (j < n) {
        tmp[k++] = keys[j++];
    }
    memcpy(keys, tmp, sizeof(HitKey) * (size_t)n);
}

/* scoring.category_evidence and scoring.scores: the probability of each category into ``prob``. */
static int
score(Evaluator *self, HitKey *keys, Py_ssize_t n, double *prob)
{
    for (Py_ssize_t c = 0; c < self->ncategories; c++) {
        Py_ssize_t count = 0, first = -1;
        for (Py_ssize_t i = 0; i < n; i++) {
            if (keys[i].index == c && count++ == 0) {
                first = i;
            }
        }
        double total = 0.0;
        if (count == 1) {
            total = keys[first].weight + 0.0;
        }
        else if (count > 1) {
            PyObject *weights = PyList_New(0), *sum = NULL;
            for (Py_ssize_t i = first; weights != NULL && i < n; i++) {
                if (keys[i].index == c) {
                    PyObject *weight = sg_slot_get(&self->hit_rec, 2, keys[i].hit);
                    if (weight == NULL || PyList_Append(weights, weight) < 0) {
                        Py_CLEAR(weights);
                    }
                    Py_XDECREF(weight);
                }
            }
            if (weights != NULL) {
                sum = PyObject_CallOneArg(self->fsum, weights);
                Py_DECREF(weights);
            }
            if (sum == NULL) {
                return -1;
            }
            total = PyFloat_AsDouble(sum);
            Py_DECREF(sum);
            if (total == -1.0 && PyErr_Occurred()) {
                return -1;
            }
        }
        prob[c] = total > 0.0 ? 1.0 - exp(-total) : 0.0;  /* NaN and 0 give 0.0, as in Python */
    }
    return 0;
}

/* scoring.decide: an index into the categories, or -1 for the fallback the pack does not declare. */
static Py_ssize_t
decide(Evaluator *self, const double *prob)
{
    Py_ssize_t chosen = -1;
    for (Py_ssize_t c = 0; c < self->ncategories; c++) {
        const CategoryInfo *info = &self->categories[c];
        if (info->is_fallback || !(prob[c] > 0.0) || !(prob[c] >= info->threshold)) {
            continue;
        }
        if (chosen < 0) {
            chosen = c;
            continue;
        }
        const CategoryInfo *best = &self->categories[chosen];
        int less;
        if (-info->priority != -best->priority) {
            less = -info->priority < -best->priority;
        }
        else if (-prob[c] != -prob[chosen]) {
            less = -prob[c] < -prob[chosen];
        }
        else {
            less = PyUnicode_Compare(info->id, best->id) < 0;
        }
        if (less) {
            chosen = c;
        }
    }
    return chosen >= 0 ? chosen : self->fallback_index;
}

/* Engine._advice */
static PyObject *
advise(Evaluator *self, const HitKey *keys, Py_ssize_t n, const double *prob, Py_ssize_t chosen)
{
    PyObject *seen = PyDict_New(), *out = NULL;
    if (seen == NULL) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i <= n; i++) {
        PyObject *advice;
        if (i < n) {
            Py_ssize_t c = keys[i].index;
            if (keys[i].weight <= 0 || c < 0
                || (c != chosen && prob[c] < self->categories[c].threshold / 2)) {
                continue;
            }
            if ((advice = PyDict_GetItemWithError(self->advice_of, keys[i].rule)) == NULL) {
                if (!PyErr_Occurred()) {
                    PyErr_SetObject(PyExc_KeyError, keys[i].rule);
                }
                goto done;
            }
        }
        else if (chosen >= 0) {
            advice = self->categories[chosen].advice;
        }
        else {
            break;
        }
        Py_INCREF(advice);
        PyObject *iter = PyObject_GetIter(advice), *item;
        Py_DECREF(advice);
        if (iter == NULL) {
            goto done;
        }
        while ((item = PyIter_Next(iter)) != NULL) {
            int rc = PyDict_SetItem(seen, item, Py_None);
            Py_DECREF(item);
            if (rc < 0) {
                break;
            }
        }
        Py_DECREF(iter);
        if (PyErr_Occurred()) {
            goto done;
        }
    }
    PyObject *list = PyDict_Keys(seen);
    if (list != NULL) {
        out = PyList_AsTuple(list);
        Py_DECREF(list);
    }
done:
    Py_DECREF(seen);
    return out;
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
    PyObject *hits = args[0];
    if (!self->fast_scoring || !PyList_CheckExact(hits)) {
        Py_RETURN_NONE;
    }
    Py_ssize_t n = PyList_GET_SIZE(hits), m = self->ncategories, held = 0;
    HitKey stack_keys[32], stack_tmp[32], *keys = stack_keys, *tmp = stack_tmp;
    double stack_prob[32], *prob = stack_prob;
    PyObject *scores = NULL, *hit_tuple = NULL, *signals = NULL, *advice = NULL, *errors = NULL, *out = NULL;
    if (n > 32) {
        keys = PyMem_New(HitKey, n);
        tmp = PyMem_New(HitKey, n);
    }
    if (m > 32) {
        prob = PyMem_New(double, m);
    }
    if (keys == NULL || tmp == NULL || prob == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    /* Reading the fields of hits of the exact class runs no Python code, so the list cannot change meanwhile. */
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *hit = PyList_GET_ITEM(hits, i), *fields[3] = {NULL, NULL, NULL};
        if (!Py_IS_TYPE(hit, self->hit_rec.type)) {
            out = Py_NewRef(Py_None);
            goto done;
        }
        static const Py_ssize_t slots[3] = {1, 2, 0};  /* category, weight, rule */
        for (int f = 0; f < 3 && (f == 0 || fields[f - 1] != NULL); f++) {
            fields[f] = sg_slot_get(&self->hit_rec, slots[f], hit);
        }
        if (fields[2] == NULL || !PyUnicode_CheckExact(fields[0]) || !PyFloat_CheckExact(fields[1])
            || isnan(PyFloat_AS_DOUBLE(fields[1])) || !PyUnicode_CheckExact(fields[2])) {
            out = fields[2] == NULL ? NULL : Py_NewRef(Py_None);
            for (int f = 0; f < 3; f++) {
                Py_XDECREF(fields[f]);
            }
            goto done;
        }
        PyObject *index = PyDict_GetItemWithError(self->category_index, fields[0]);
        /* strong references: a finalizer run by the garbage collector could change the hits list meanwhile */
        keys[held++] = (HitKey){Py_NewRef(hit), fields[0], fields[2], PyFloat_AS_DOUBLE(fields[1]), 0.0,
                                index == NULL ? -1 : PyLong_AsSsize_t(index)};
        Py_DECREF(fields[1]);
        if (index == NULL && PyErr_Occurred()) {
            goto done;
        }
    }
    if (score(self, keys, n, prob) < 0 || (scores = PyDict_New()) == NULL) {
        goto done;
    }
    for (Py_ssize_t c = 0; c < m; c++) {
        PyObject *value = PyFloat_FromDouble(prob[c]);
        int rc = value == NULL ? -1 : PyDict_SetItem(scores, self->categories[c].id, value);
        Py_XDECREF(value);
        if (rc < 0) {
            goto done;
        }
    }
    Py_ssize_t chosen = decide(self, prob);
    for (Py_ssize_t i = 0; i < n; i++) {
        keys[i].neg_score = -(keys[i].index >= 0 ? prob[keys[i].index] : 0.0);
    }
    stable_sort(keys, tmp, n);
    if ((hit_tuple = PyTuple_New(n)) == NULL) {
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyTuple_SET_ITEM(hit_tuple, i, Py_NewRef(keys[i].hit));
    }
    if (PyList_SetSlice(hits, 0, PY_SSIZE_T_MAX, hit_tuple) < 0  /* the list is sorted in place, as in Python */
        || (signals = PySequence_Tuple(args[1])) == NULL
        || (advice = advise(self, keys, n, prob, chosen)) == NULL || (errors = PySequence_Tuple(args[2])) == NULL) {
        goto done;
    }
    const CategoryInfo *category = chosen >= 0 ? &self->categories[chosen] : NULL;
    PyObject *values[] = {category ? category->id : self->fallback,
                          category ? category->risk : self->none_risk,
                          scores,
                          hit_tuple,
                          signals,
                          advice,
                          errors,
                          self->version,
                          category ? category->title : self->fallback};
    out = sg_record_new(&self->verdict_rec, values);
done:
    for (Py_ssize_t i = 0; i < held; i++) {
        Py_DECREF(keys[i].hit);
        Py_DECREF(keys[i].category);
        Py_DECREF(keys[i].rule);
    }
    if (keys != stack_keys) {
        PyMem_Free(keys);
    }
    if (tmp != stack_tmp) {
        PyMem_Free(tmp);
    }
    if (prob != stack_prob) {
        PyMem_Free(prob);
    }
    Py_XDECREF(scores);
    Py_XDECREF(hit_tuple);
    Py_XDECREF(signals);
    Py_XDECREF(advice);
    Py_XDECREF(errors);
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

static PyMethodDef Evaluator_methods[] = {
    {"evaluate", (PyCFunction)(void (*)(void))sg_engine_evaluate, METH_FASTCALL,
     "evaluate(message, ntext, features, signals, failures, found) -> (rule_results, hits)"},
    {"verdict", (PyCFunction)(void (*)(void))Evaluator_verdict, METH_FASTCALL,
     "verdict(hits, signals, failures) -> Verdict, or None where the Python reference must decide"},
    {"judgement", (PyCFunction)(void (*)(void))Evaluator_judgement, METH_FASTCALL,
     "judgement(message, text, features, signals, rule_results, verdict) -> Judgement"},
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
