/* smsguard._cengine, the rules: loading the rules and the EvaluationPlan, and Engine.evaluate after the literal pass.
 *
 * Group the signals by name, build the MatchContext, choose the candidate rules from the plan, call each
 * candidate's closure (RuleAborted: not fired) and build a Hit for each enabled rule that holds. A rule result
 * that is not a tuple of (int, int) tuples of non-negative ints goes to the Python helper ``hit_parts``.
 */
#include "engine.h"

#include <math.h>

#define STACK_MARKS 8  /* words of the bitset of candidate rules on the stack: 512 rules */

PyObject *sg_str_text;
static PyObject *str_name, *str_sender, *str_starts, *str_ends, *str_extend;
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

/* self->by_literal: the rules each literal id triggers, by id, when every id is an int in [0, SG_MAX_LITERAL) */
static int
index_literals(Evaluator *self)
{
    PyObject *key, *value;
    Py_ssize_t pos = 0, top = -1;
    while (PyDict_Next(self->literal, &pos, &key, &value)) {
        Py_ssize_t id = PyLong_CheckExact(key) ? PyLong_AsSsize_t(key) : -1;
        if (id < 0 || id >= SG_MAX_LITERAL) {
            PyErr_Clear();
            return 0;
        }
        top = id > top ? id : top;
    }
    if ((self->by_literal = PyMem_Calloc((size_t)top + 1, sizeof(PyObject *))) == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    self->nby_literal = top + 1;
    pos = 0;
    while (PyDict_Next(self->literal, &pos, &key, &value)) {
        self->by_literal[PyLong_AsSsize_t(key)] = value;
    }
    return 0;
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
    if (index_literals(self) < 0) {
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
    int plain = 1;
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
        if (info->enabled
            && !(PyUnicode_CheckExact(info->id) && PyUnicode_CheckExact(info->category)
                 && PyFloat_CheckExact(info->weight) && !isnan(PyFloat_AS_DOUBLE(info->weight)))) {
            plain = 0;
        }
    }
    self->plain_hits = plain;
    return 0;
}

int
sg_engine_load_rules(Evaluator *self, PyObject *rules, PyObject *plan, PyObject *fact_names)
{
    return load_rules(self, rules) < 0 || (plan != Py_None && load_plan(self, plan, fact_names) < 0) ? -1 : 0;
}

/* ---- evaluate */

/* Add ``signal`` to the list of its name in ``by_name``: 0, or -1 with an exception. */
static int
group_one(Evaluator *self, PyObject *by_name, PyObject *signal)
{
    PyObject *name = Py_IS_TYPE(signal, self->signal_rec.type) ? sg_slot_get(&self->signal_rec, 0, signal)
                                                               : PyObject_GetAttr(signal, str_name);
    PyObject *same = NULL;
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
    return rc;
}

/* The signals by name, as Engine.evaluate groups them; an exact list is read as its iterator would read it. */
static PyObject *
group_signals(Evaluator *self, PyObject *signals)
{
    PyObject *by_name, *iter, *signal;
    if (PyList_CheckExact(signals)) {
        /* sized for a name per signal: no resize on the way, the same dict in the end */
        if ((by_name = _PyDict_NewPresized(PyList_GET_SIZE(signals))) == NULL) {
            return NULL;
        }
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(signals); i++) {
            signal = Py_NewRef(PyList_GET_ITEM(signals, i));
            int rc = group_one(self, by_name, signal);
            Py_DECREF(signal);
            if (rc < 0) {
                Py_DECREF(by_name);
                return NULL;
            }
        }
        return by_name;
    }
    if ((by_name = PyDict_New()) == NULL || (iter = PyObject_GetIter(signals)) == NULL) {
        Py_XDECREF(by_name);
        return NULL;
    }
    while ((signal = PyIter_Next(iter)) != NULL) {
        int rc = group_one(self, by_name, signal);
        Py_DECREF(signal);
        if (rc < 0) {
            break;
        }
    }
    Py_DECREF(iter);
    if (PyErr_Occurred()) {
        Py_DECREF(by_name);
        return NULL;
    }
    return by_name;
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
    int upper = 0;
    for (Py_ssize_t i = start; i < end; i++) {
        kept += data[i] != ' ' && data[i] != '-' && data[i] != '(' && data[i] != ')';
        upper |= data[i] >= 'A' && data[i] <= 'Z';
    }
    if (kept == 0) {
        return Py_NewRef(empty_str);
    }
    if (kept == PyUnicode_GET_LENGTH(sender) && !upper) {  /* already as the rules compare it */
        return Py_NewRef(sender);
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

#define STACK_FOUND 64  /* found literals read in one pass; beyond, a second pass over ``found`` */

/* MatchContext.found_bits: a bitmap of the keys of ``found`` when it is a dict of ints in [0, SG_MAX_LITERAL), else
 * None (a new reference; NULL with an exception), in the layout described at SG_MAX_LITERAL (common.h). */
static PyObject *
found_bits(PyObject *found)
{
    PyObject *key, *value, *bits;
    Py_ssize_t pos = 0, top = -1, held = 0, ids[STACK_FOUND];
    if (!PyDict_CheckExact(found)) {
        Py_RETURN_NONE;
    }
    while (PyDict_Next(found, &pos, &key, &value)) {
        Py_ssize_t id = PyLong_CheckExact(key) ? PyLong_AsSsize_t(key) : -1;
        if (id < 0 || id >= SG_MAX_LITERAL) {
            PyErr_Clear();
            Py_RETURN_NONE;
        }
        top = id > top ? id : top;
        if (held < STACK_FOUND) {
            ids[held] = id;
        }
        held++;
    }
    Py_ssize_t nwords = top / 64 + 1;
    if ((bits = PyBytes_FromStringAndSize(NULL, nwords * 8)) == NULL) {
        return NULL;
    }
    char *data = PyBytes_AS_STRING(bits);
    memset(data, 0, (size_t)nwords * 8);
    pos = 0;
    for (Py_ssize_t i = 0; i < held; i++) {
        Py_ssize_t id;
        if (held <= STACK_FOUND) {
            id = ids[i];
        }
        else {  /* the same keys again: nothing ran since the first pass */
            PyDict_Next(found, &pos, &key, &value);
            id = PyLong_AsSsize_t(key);
        }
        uint64_t word;
        memcpy(&word, data + (id >> 6) * 8, 8);
        word |= (uint64_t)1 << (id & 63);
        memcpy(data + (id >> 6) * 8, &word, 8);
    }
    return bits;
}

static PyObject *
build_context(Evaluator *self, PyObject *message, PyObject *ntext, PyObject *features, PyObject *by_name,
              PyObject *found, PyObject *bits, PyObject *sender, PyObject **results)
{
    PyObject *identity = Py_True, *starts, *ends = NULL, *failures = NULL, *cache = NULL, *ctx = NULL;
    if ((starts = sg_field_get(&self->ntext_rec, SG_NTEXT_STARTS, ntext, str_starts)) == NULL) {
        return NULL;
    }
    if (starts != Py_None) {
        if ((ends = sg_field_get(&self->ntext_rec, SG_NTEXT_ENDS, ntext, str_ends)) == NULL) {
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
        PyObject *values[] = {message, ntext, identity, features, by_name, found, bits, sender, self->tokenizer,
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
set_mark(uint64_t *marks, Py_ssize_t i)
{
    marks[i >> 6] |= (uint64_t)1 << (i & 63);
}

static inline void
mark(uint64_t *marks, PyObject *triggered)
{
    /* the indices were checked when the plan was loaded */
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(triggered); i++) {
        set_mark(marks, PyLong_AsSsize_t(PyTuple_GET_ITEM(triggered, i)));
    }
}

static int
mark_literal(Evaluator *self, uint64_t *marks, PyObject *key)
{
    PyObject *triggered = PyDict_GetItemWithError(self->literal, key);
    if (triggered != NULL) {
        mark(marks, triggered);
    }
    return triggered == NULL && PyErr_Occurred() ? -1 : 0;
}

/* Engine._candidates: the bit of each rule to evaluate in ``marks``. ``bits``: MatchContext.found_bits. */
static int
choose(Evaluator *self, uint64_t *marks, PyObject *found, PyObject *bits, PyObject *by_name, PyObject *features,
       PyObject *sender)
{
    if (!self->planned) {
        for (Py_ssize_t i = 0; i < self->nrules; i++) {
            set_mark(marks, i);
        }
        return 0;
    }
    for (Py_ssize_t i = 0; i < self->nalways; i++) {
        set_mark(marks, self->always[i]);
    }
    PyObject *key, *value, *iter;
    Py_ssize_t pos = 0;
    if (self->by_literal != NULL && PyBytes_CheckExact(bits)) {  /* found's keys are the bits */
        const char *data = PyBytes_AS_STRING(bits);
        for (Py_ssize_t k = 0; k < PyBytes_GET_SIZE(bits) / 8; k++) {
            uint64_t word;
            memcpy(&word, data + 8 * k, 8);
            for (; word != 0; word &= word - 1) {
                Py_ssize_t id = k * 64 + sg_lowest_bit(word);
                if (id < self->nby_literal && self->by_literal[id] != NULL) {
                    mark(marks, self->by_literal[id]);
                }
            }
        }
    }
    else if (PyDict_CheckExact(found)) {
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
        rc = (facts[i] = sg_field_get(&self->features_rec, i, features, names[i])) == NULL ? -1 : 0;
    }
    for (int i = 0; i < N_FACTS && rc == 0; i++) {
        /* the truth of an exact tuple or str runs no code: only the facts of the plan are tested then */
        if (self->fact[i] == NULL && (PyTuple_CheckExact(facts[i]) || PyUnicode_CheckExact(facts[i]))) {
            continue;
        }
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

/* Rule ``i``'s condition: its result into ``results`` and, when it holds and is enabled, its Hit into ``hits``
 * (RuleAborted: not fired). 0, or -1 with an exception. */
static int
run_rule(Evaluator *self, Py_ssize_t i, PyObject *ctx, PyObject *results, PyObject *hits, PyObject *original)
{
    const RuleInfo *rule = &self->rules[i];
    PyObject *result = PyObject_CallOneArg(rule->evaluate, ctx);
    if (result == NULL) {
        if (PyErr_ExceptionMatches(self->rule_aborted)) {
            PyErr_Clear();
            return 0;
        }
        return -1;
    }
    int rc = 0;
    if (result != Py_None) {
        rc = PyList_SetItem(results, i, Py_NewRef(result));
        if (rc == 0 && rule->enabled) {
            PyObject *hit = sg_engine_make_hit(self, rule, result, original);
            rc = hit == NULL ? -1 : PyList_Append(hits, hit);
            Py_XDECREF(hit);
        }
    }
    Py_DECREF(result);
    return rc;
}

int
sg_engine_run(Evaluator *self, PyObject *message, PyObject *ntext, PyObject *features, PyObject *signals,
              PyObject *failures, PyObject *found, PyObject **results_out, PyObject **hits_out)
{
    PyObject *by_name = NULL, *original = NULL, *sender = NULL, *ctx = NULL, *results = NULL, *hits = NULL;
    PyObject *raw, *bits = NULL;
    int status = -1;
    uint64_t stack_marks[STACK_MARKS], *marks = stack_marks;
    Py_ssize_t nwords = (self->nrules + 63) / 64;

    if ((by_name = group_signals(self, signals)) == NULL
        || (original = sg_field_get(&self->message_rec, SG_MESSAGE_TEXT, message, sg_str_text)) == NULL
        || (raw = sg_field_get(&self->message_rec, SG_MESSAGE_SENDER, message, str_sender)) == NULL) {
        goto done;
    }
    sender = sender_of(self, raw);
    Py_DECREF(raw);
    if (sender == NULL || (bits = found_bits(found)) == NULL
        || (ctx = build_context(self, message, ntext, features, by_name, found, bits, sender, &results)) == NULL) {
        goto done;
    }
    if (nwords > STACK_MARKS) {
        if ((marks = PyMem_Calloc((size_t)nwords, sizeof(uint64_t))) == NULL) {
            PyErr_NoMemory();
            goto done;
        }
    }
    else {
        memset(marks, 0, sizeof(stack_marks));
    }
    if (choose(self, marks, found, bits, by_name, features, sender) < 0 || (hits = PyList_New(0)) == NULL) {
        goto done;
    }
    /* the candidates in rule order: each word of the bitset, lowest bit first */
    for (Py_ssize_t k = 0; k < nwords; k++) {
        for (uint64_t word = marks[k]; word != 0; word &= word - 1) {
            if (run_rule(self, k * 64 + sg_lowest_bit(word), ctx, results, hits, original) < 0) {
                goto done;
            }
        }
    }
    PyObject *more = sg_slot_get(&self->context_rec, SG_CONTEXT_FAILURES, ctx);
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
        *results_out = results;
        *hits_out = hits;
        results = hits = NULL;
        status = 0;
    }
done:
    if (marks != stack_marks) {
        PyMem_Free(marks);
    }
    Py_XDECREF(by_name);
    Py_XDECREF(original);
    Py_XDECREF(sender);
    Py_XDECREF(bits);
    Py_XDECREF(ctx);  /* after this the closures' MatchContext is usually gone, and ``results`` ours alone */
    Py_XDECREF(results);
    Py_XDECREF(hits);
    return status;
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
    PyObject *results, *hits, *out;
    if (sg_engine_run(self, args[0], args[1], args[2], args[3], args[4], args[5], &results, &hits) < 0) {
        return NULL;
    }
    out = PyTuple_Pack(2, results, hits);
    Py_DECREF(results);
    Py_DECREF(hits);
    return out;
}

int
sg_engine_rules_init(void)
{
    struct {
        PyObject **var;
        const char *text;
    } names[] = {{&str_name, "name"},         {&sg_str_text, "text"},           {&str_sender, "sender"},
                 {&str_starts, "starts"},     {&str_ends, "ends"},
                 {&str_extend, "extend"},     {&str_amounts, "amounts"},     {&str_signatures, "signatures"},
                 {&str_links, "links"},       {&empty_str, ""}};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (*names[i].var == NULL && (*names[i].var = PyUnicode_InternFromString(names[i].text)) == NULL) {
            return -1;
        }
    }
    return 0;
}
