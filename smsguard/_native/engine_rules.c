/* smsguard._cengine, the rules: loading the rules and the EvaluationPlan, and Engine.evaluate after the literal pass.
 *
 * Group the signals by name, build the MatchContext, choose the candidate rules from the plan, call each
 * candidate's closure (RuleAborted: not fired) and build a Hit for each enabled rule that holds. A rule result
 * that is not a tuple of (int, int) tuples of non-negative ints goes to the Python helper ``hit_parts``.
 */
#include "engine.h"

#include <stdlib.h>

#define STACK_MARKS 512

static PyObject *str_name, *str_text, *str_sender, *str_starts, *str_ends, *str_failures, *str_extend;
static PyObject *str_amounts, *str_signatures, *str_links, *empty_str;

/* ---- construction */

/* Whether ``items`` is a tuple of exact ints in [0, limit); a ValueError when not. */
static int
check_indices(PyObject *items, Py_ssize_t limit)
{
    if (!PyTuple_CheckExact(items)) {
        PyErr_SetString(PyExc_ValueError, "a plan entry is not a tuple");
        return -1;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(items); i++) {
        PyObject *item = PyTuple_GET_ITEM(items, i);
        int overflow;
        long long value = PyLong_CheckExact(item) ? PyLong_AsLongLongAndOverflow(item, &overflow) : -1;
        if (value < 0 || value >= limit) {
            PyErr_SetString(PyExc_ValueError, "a plan names a rule index out of range");
            return -1;
        }
    }
    return 0;
}

/* A private copy of a plan mapping, each value checked by check_indices. */
static PyObject *
copy_triggers(PyObject *mapping, Py_ssize_t limit)
{
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    if (!PyDict_CheckExact(mapping)) {
        PyErr_SetString(PyExc_ValueError, "a plan mapping is not a dict");
        return NULL;
    }
    while (PyDict_Next(mapping, &pos, &key, &value)) {
        if (check_indices(value, limit) < 0) {
            return NULL;
        }
    }
    return PyDict_Copy(mapping);
}

static int
load_plan(Evaluator *self, PyObject *plan, PyObject *fact_names)
{
    static const char *const names[] = {"always", "literal", "signal", "fact", NULL};
    PyObject *parts[4], *facts = NULL;
    int rc = -1;
    if (!PyTuple_CheckExact(fact_names) || PyTuple_GET_SIZE(fact_names) != N_FACTS) {
        PyErr_SetString(PyExc_TypeError, "fact_names: a tuple of 4 names");
        return -1;
    }
    if (sg_get_attrs(plan, names, parts) < 0) {
        return -1;
    }
    if (check_indices(parts[0], self->nrules) < 0 || (self->literal = copy_triggers(parts[1], self->nrules)) == NULL
        || (self->signal = copy_triggers(parts[2], self->nrules)) == NULL
        || (facts = copy_triggers(parts[3], self->nrules)) == NULL) {
        goto done;
    }
    self->nalways = PyTuple_GET_SIZE(parts[0]);
    if ((self->always = PyMem_New(Py_ssize_t, self->nalways + 1)) == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < self->nalways; i++) {
        self->always[i] = PyLong_AsSsize_t(PyTuple_GET_ITEM(parts[0], i));
    }
    self->has_fact = PyDict_GET_SIZE(facts) > 0;
    for (int i = 0; i < N_FACTS; i++) {
        self->fact[i] = Py_XNewRef(PyDict_GetItemWithError(facts, PyTuple_GET_ITEM(fact_names, i)));
        if (self->fact[i] == NULL && PyErr_Occurred()) {
            goto done;
        }
    }
    self->planned = 1;
    rc = 0;
done:
    Py_XDECREF(facts);
    for (int i = 0; i < 4; i++) {
        Py_DECREF(parts[i]);
    }
    return rc;
}

static int
load_rules(Evaluator *self, PyObject *rules)
{
    static const char *const names[] = {"evaluate", "id", "category", "weight", "title", "pack", "enabled", NULL};
    if (!PyTuple_CheckExact(rules)) {
        PyErr_SetString(PyExc_ValueError, "the rules are not a tuple");
        return -1;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(rules);
    if ((self->rules = PyMem_Calloc((size_t)n + 1, sizeof(RuleInfo))) == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *f[7];
        if (sg_get_attrs(PyTuple_GET_ITEM(rules, i), names, f) < 0) {
            return -1;
        }
        RuleInfo *info = &self->rules[self->nrules++];
        *info = (RuleInfo){f[0], f[1], f[2], f[3], f[4], f[5], PyObject_IsTrue(f[6])};
        Py_DECREF(f[6]);
        if (info->enabled < 0) {
            return -1;
        }
    }
    return 0;
}

int
sg_engine_load_rules(Evaluator *self, PyObject *rules, PyObject *plan, PyObject *fact_names)
{
    return load_rules(self, rules) < 0 || (plan != Py_None && load_plan(self, plan, fact_names) < 0) ? -1 : 0;
}

/* ---- evaluate */

static PyObject *
group_signals(PyObject *signals)
{
    PyObject *by_name = PyDict_New(), *iter = NULL, *signal;
    if (by_name == NULL || (iter = PyObject_GetIter(signals)) == NULL) {
        goto error;
    }
    while ((signal = PyIter_Next(iter)) != NULL) {
        PyObject *name = PyObject_GetAttr(signal, str_name), *same = NULL;
        int rc = -1;
        if (name != NULL && (same = PyDict_GetItemWithError(by_name, name)) != NULL) {
            rc = PyList_Append(same, signal);
        }
        else if (name != NULL && !PyErr_Occurred()) {
            PyObject *list = PyList_New(1);
            if (list != NULL) {
                PyList_SET_ITEM(list, 0, Py_NewRef(signal));
                rc = PyDict_SetItem(by_name, name, list);
                Py_DECREF(list);
            }
        }
        Py_XDECREF(name);
        Py_DECREF(signal);
        if (rc < 0) {
            goto error;
        }
    }
    if (PyErr_Occurred()) {
        goto error;
    }
    Py_DECREF(iter);
    return by_name;
error:
    Py_XDECREF(iter);
    Py_XDECREF(by_name);
    return NULL;
}

static inline int
ascii_space(Py_UCS1 c)
{
    return c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
}

/* smsguard.matching.normalize_sender, here for ASCII text (the usual sender), else by calling it. */
static PyObject *
sender_of(Evaluator *self, PyObject *sender)
{
    if (sender == Py_None) {
        return Py_NewRef(empty_str);
    }
    if (!PyUnicode_CheckExact(sender) || !PyUnicode_IS_ASCII(sender)) {
        return PyObject_CallOneArg(self->normalize_sender, sender);
    }
    const Py_UCS1 *data = PyUnicode_1BYTE_DATA(sender);
    Py_ssize_t start = 0, end = PyUnicode_GET_LENGTH(sender), kept = 0;
    while (start < end && ascii_space(data[start])) {
        start++;
    }
    while (end > start && ascii_space(data[end - 1])) {
        end--;
    }
    for (Py_ssize_t i = start; i < end; i++) {
        kept += data[i] != ' ' && data[i] != '-' && data[i] != '(' && data[i] != ')';
    }
    if (kept == 0) {
        return Py_NewRef(empty_str);
    }
    PyObject *out = PyUnicode_New(kept, 127);
    if (out == NULL) {
        return NULL;
    }
    Py_UCS1 *dest = PyUnicode_1BYTE_DATA(out);
    for (Py_ssize_t i = start; i < end; i++) {
        Py_UCS1 c = data[i];
        if (c != ' ' && c != '-' && c != '(' && c != ')') {
            *dest++ = (c >= 'A' && c <= 'Z') ? (Py_UCS1)(c + 32) : c;
        }
    }
    return out;
}

static PyObject *
build_context(Evaluator *self, PyObject *message, PyObject *ntext, PyObject *features, PyObject *by_name,
              PyObject *found, PyObject *sender, PyObject **results)
{
    PyObject *identity = Py_True, *starts, *ends = NULL, *failures = NULL, *cache = NULL, *ctx = NULL;
    if ((starts = PyObject_GetAttr(ntext, str_starts)) == NULL) {
        return NULL;
    }
    if (starts != Py_None) {
        if ((ends = PyObject_GetAttr(ntext, str_ends)) == NULL) {
            Py_DECREF(starts);
            return NULL;
        }
        identity = ends == Py_None ? Py_True : Py_False;
    }
    *results = PyList_New(self->nrules);
    if (*results != NULL && (failures = PyList_New(0)) != NULL && (cache = PyDict_New()) != NULL) {
        for (Py_ssize_t i = 0; i < self->nrules; i++) {
            PyList_SET_ITEM(*results, i, Py_NewRef(Py_None));
        }
        PyObject *prefilter = self->planned ? Py_True : Py_False;
        PyObject *values[] = {message, ntext, identity, features, by_name, found, sender, self->tokenizer,
                              prefilter, *results, failures, cache, Py_None};  /* as context_fields in engine.c */
        ctx = sg_record_new(&self->context_rec, values);
    }
    if (ctx == NULL) {
        Py_CLEAR(*results);
    }
    Py_DECREF(starts);
    Py_XDECREF(ends);
    Py_XDECREF(failures);
    Py_XDECREF(cache);
    return ctx;
}

static inline void
mark(char *marks, PyObject *triggered)
{
    /* the indices were checked when the plan was loaded */
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(triggered); i++) {
        marks[PyLong_AsSsize_t(PyTuple_GET_ITEM(triggered, i))] = 1;
    }
}

static int
mark_literal(Evaluator *self, char *marks, PyObject *key)
{
    PyObject *triggered = PyDict_GetItemWithError(self->literal, key);
    if (triggered != NULL) {
        mark(marks, triggered);
    }
    return triggered == NULL && PyErr_Occurred() ? -1 : 0;
}

/* Engine._candidates: marks[i] = 1 for each rule i to evaluate. */
static int
choose(Evaluator *self, char *marks, PyObject *found, PyObject *by_name, PyObject *features, PyObject *sender)
{
    if (!self->planned) {
        memset(marks, 1, (size_t)self->nrules);
        return 0;
    }
    for (Py_ssize_t i = 0; i < self->nalways; i++) {
        marks[self->always[i]] = 1;
    }
    PyObject *key, *value, *iter;
    Py_ssize_t pos = 0;
    if (PyDict_CheckExact(found)) {
        while (PyDict_Next(found, &pos, &key, &value)) {
            Py_INCREF(key);
            int rc = mark_literal(self, marks, key);
            Py_DECREF(key);
            if (rc < 0) {
                return -1;
            }
        }
    }
    else {
        if ((iter = PyObject_GetIter(found)) == NULL) {
            return -1;
        }
        while ((key = PyIter_Next(iter)) != NULL) {
            int rc = mark_literal(self, marks, key);
            Py_DECREF(key);
            if (rc < 0) {
                Py_DECREF(iter);
                return -1;
            }
        }
        Py_DECREF(iter);
        if (PyErr_Occurred()) {
            return -1;
        }
    }
    pos = 0;
    while (PyDict_Next(by_name, &pos, &key, &value)) {
        PyObject *triggered = PyDict_GetItemWithError(self->signal, key);
        if (triggered != NULL) {
            mark(marks, triggered);
        }
        else if (PyErr_Occurred()) {
            return -1;
        }
    }
    if (!self->has_fact) {
        return 0;
    }
    PyObject *facts[N_FACTS] = {NULL, NULL, NULL, sender};
    PyObject *names[N_FACTS - 1] = {str_amounts, str_signatures, str_links};
    int rc = 0;
    for (int i = 0; i < N_FACTS - 1 && rc == 0; i++) {
        rc = (facts[i] = PyObject_GetAttr(features, names[i])) == NULL ? -1 : 0;
    }
    for (int i = 0; i < N_FACTS && rc == 0; i++) {
        int truth = PyObject_IsTrue(facts[i]);
        if (truth < 0) {
            rc = -1;
        }
        else if (truth && self->fact[i] != NULL) {
            mark(marks, self->fact[i]);
        }
    }
    for (int i = 0; i < N_FACTS - 1; i++) {
        Py_XDECREF(facts[i]);
    }
    return rc;
}

typedef struct {
    Py_ssize_t start, end, order;
} Pair;

static int
pair_cmp(const void *x, const void *y)
{
    const Pair *a = x, *b = y;
    if (a->start != b->start) {
        return a->start < b->start ? -1 : 1;
    }
    if (a->end != b->end) {
        return a->end < b->end ? -1 : 1;
    }
    return a->order < b->order ? -1 : (a->order > b->order);
}

/* The spans and evidence of a Hit for a rule result that is a tuple of (int, int) tuples with non-negative ints:
 * ``tuple(sorted(set(result)))`` and the slices of ``original``. Returns 1, or 0 for other results (left to the
 * Python helper), or -1 with an exception set. */
static int
fast_parts(PyObject *result, PyObject *original, PyObject **spans_out, PyObject **evidence_out)
{
    if (!PyTuple_CheckExact(result) || !PyUnicode_CheckExact(original)) {
        return 0;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(result), m = n;
    Pair stack[16], *pairs = n <= 16 ? stack : PyMem_New(Pair, n);
    PyObject *spans = NULL, *evidence = NULL;
    int status = 0, ordered = 1;
    if (pairs == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PyTuple_GET_ITEM(result, i);
        if (!PyTuple_CheckExact(item) || PyTuple_GET_SIZE(item) != 2 || !PyLong_CheckExact(PyTuple_GET_ITEM(item, 0))
            || !PyLong_CheckExact(PyTuple_GET_ITEM(item, 1))) {
            goto done;
        }
        Py_ssize_t start = PyLong_AsSsize_t(PyTuple_GET_ITEM(item, 0));
        Py_ssize_t end = PyLong_AsSsize_t(PyTuple_GET_ITEM(item, 1));
        if ((start == -1 || end == -1) && PyErr_Occurred()) {
            PyErr_Clear();
            goto done;
        }
        if (start < 0 || end < 0) {
            goto done;
        }
        pairs[i] = (Pair){start, end, i};
        if (i > 0 && ordered) {  /* strictly increasing: already what sorted(set(...)) gives */
            ordered = pairs[i - 1].start < start || (pairs[i - 1].start == start && pairs[i - 1].end < end);
        }
    }
    if (ordered) {
        spans = Py_NewRef(result);
    }
    else {
        qsort(pairs, (size_t)n, sizeof(Pair), pair_cmp);
        m = 0;
        for (Py_ssize_t i = 0; i < n; i++) {
            if (m == 0 || pairs[i].start != pairs[m - 1].start || pairs[i].end != pairs[m - 1].end) {
                pairs[m++] = pairs[i];
            }
        }
        if ((spans = PyTuple_New(m)) == NULL) {
            status = -1;
            goto done;
        }
        for (Py_ssize_t i = 0; i < m; i++) {
            PyTuple_SET_ITEM(spans, i, Py_NewRef(PyTuple_GET_ITEM(result, pairs[i].order)));
        }
    }
    if ((evidence = PyTuple_New(m)) == NULL) {
        status = -1;
        goto done;
    }
    for (Py_ssize_t i = 0; i < m; i++) {
        PyObject *piece = PyUnicode_Substring(original, pairs[i].start, pairs[i].end);
        if (piece == NULL) {
            status = -1;
            goto done;
        }
        PyTuple_SET_ITEM(evidence, i, piece);
    }
    *spans_out = spans;
    *evidence_out = evidence;
    spans = evidence = NULL;
    status = 1;
done:
    Py_XDECREF(spans);
    Py_XDECREF(evidence);
    if (pairs != stack) {
        PyMem_Free(pairs);
    }
    return status;
}

static PyObject *
make_hit(Evaluator *self, const RuleInfo *rule, PyObject *result, PyObject *original)
{
    PyObject *spans = NULL, *evidence = NULL;
    int fast = fast_parts(result, original, &spans, &evidence);
    if (fast < 0) {
        return NULL;
    }
    if (fast == 0) {
        PyObject *parts = PyObject_CallFunctionObjArgs(self->hit_parts, result, original, NULL);
        if (parts == NULL) {
            return NULL;
        }
        if (!PyTuple_CheckExact(parts) || PyTuple_GET_SIZE(parts) != 2) {
            Py_DECREF(parts);
            PyErr_SetString(PyExc_TypeError, "hit_parts must return (spans, evidence)");
            return NULL;
        }
        spans = Py_NewRef(PyTuple_GET_ITEM(parts, 0));
        evidence = Py_NewRef(PyTuple_GET_ITEM(parts, 1));
        Py_DECREF(parts);
    }
    PyObject *values[] = {rule->id, rule->category, rule->weight, rule->title, spans, evidence, rule->pack};
    PyObject *hit = sg_record_new(&self->hit_rec, values);
    Py_DECREF(spans);
    Py_DECREF(evidence);
    return hit;
}

PyObject *
sg_engine_evaluate(Evaluator *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 6) {
        PyErr_SetString(PyExc_TypeError, "evaluate() takes message, ntext, features, signals, failures, found");
        return NULL;
    }
    if (!sg_engine_ready(self)) {
        return NULL;
    }
    PyObject *message = args[0], *ntext = args[1], *features = args[2], *failures = args[4], *found = args[5];
    PyObject *by_name = NULL, *original = NULL, *sender = NULL, *ctx = NULL, *results = NULL, *hits = NULL;
    PyObject *out = NULL, *raw;
    char stack_marks[STACK_MARKS], *marks = stack_marks;

    if ((by_name = group_signals(args[3])) == NULL || (original = PyObject_GetAttr(message, str_text)) == NULL
        || (raw = PyObject_GetAttr(message, str_sender)) == NULL) {
        goto done;
    }
    sender = sender_of(self, raw);
    Py_DECREF(raw);
    if (sender == NULL
        || (ctx = build_context(self, message, ntext, features, by_name, found, sender, &results)) == NULL) {
        goto done;
    }
    if (self->nrules > STACK_MARKS) {
        if ((marks = PyMem_Calloc((size_t)self->nrules, 1)) == NULL) {
            PyErr_NoMemory();
            goto done;
        }
    }
    else {
        memset(marks, 0, sizeof(stack_marks));
    }
    if (choose(self, marks, found, by_name, features, sender) < 0 || (hits = PyList_New(0)) == NULL) {
        goto done;
    }
    for (Py_ssize_t i = 0; i < self->nrules; i++) {
        if (!marks[i]) {
            continue;
        }
        const RuleInfo *rule = &self->rules[i];
        PyObject *result = PyObject_CallOneArg(rule->evaluate, ctx);
        if (result == NULL) {
            if (PyErr_ExceptionMatches(self->rule_aborted)) {
                PyErr_Clear();
                continue;
            }
            goto done;
        }
        if (result == Py_None) {
            Py_DECREF(result);
            continue;
        }
        if (PyList_SetItem(results, i, Py_NewRef(result)) < 0) {
            Py_DECREF(result);
            goto done;
        }
        if (rule->enabled) {
            PyObject *hit = make_hit(self, rule, result, original);
            int rc = hit == NULL ? -1 : PyList_Append(hits, hit);
            Py_XDECREF(hit);
            if (rc < 0) {
                Py_DECREF(result);
                goto done;
            }
        }
        Py_DECREF(result);
    }
    PyObject *more = PyObject_GetAttr(ctx, str_failures);
    if (more == NULL) {
        goto done;
    }
    int rc;
    if (PyList_CheckExact(failures) && PyList_CheckExact(more)) {
        rc = PyList_GET_SIZE(more) ? PyList_SetSlice(failures, PY_SSIZE_T_MAX, PY_SSIZE_T_MAX, more) : 0;
    }
    else {
        PyObject *none = PyObject_CallMethodOneArg(failures, str_extend, more);
        rc = none == NULL ? -1 : 0;
        Py_XDECREF(none);
    }
    Py_DECREF(more);
    if (rc == 0) {
        out = PyTuple_Pack(2, results, hits);
    }
done:
    if (marks != stack_marks) {
        PyMem_Free(marks);
    }
    Py_XDECREF(by_name);
    Py_XDECREF(original);
    Py_XDECREF(sender);
    Py_XDECREF(ctx);
    Py_XDECREF(results);
    Py_XDECREF(hits);
    return out;
}

int
sg_engine_rules_init(void)
{
    struct {
        PyObject **var;
        const char *text;
    } names[] = {{&str_name, "name"},         {&str_text, "text"},           {&str_sender, "sender"},
                 {&str_starts, "starts"},     {&str_ends, "ends"},           {&str_failures, "failures"},
                 {&str_extend, "extend"},     {&str_amounts, "amounts"},     {&str_signatures, "signatures"},
                 {&str_links, "links"},       {&empty_str, ""}};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (*names[i].var == NULL && (*names[i].var = PyUnicode_InternFromString(names[i].text)) == NULL) {
            return -1;
        }
    }
    return 0;
}
