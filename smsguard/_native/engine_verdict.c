/* smsguard._cengine, the verdict: smsguard.scoring and Engine._verdict (the sort of the hits, the advice), with the
 * float operations in the Python reference's order so that every score is the same bits.
 */
#include "engine.h"

#include <math.h>

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

/* The weight of the hit of category ``c`` after hit ``first`` (there is one). */
static double
second_weight(const HitKey *keys, Py_ssize_t n, Py_ssize_t first, Py_ssize_t c)
{
    for (Py_ssize_t i = first + 1; i < n; i++) {
        if (keys[i].index == c) {
            return keys[i].weight;
        }
    }
    return 0.0;
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
        else if (count == 2 && isfinite(total = keys[first].weight + second_weight(keys, n, first, c))) {
            /* math.fsum of two floats is their sum correctly rounded, which one addition gives when it does not
             * overflow (for infinite terms or an overflow, fsum's answer or error is left to it) */
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

#define STACK_ADVICE 32

/* Whether ``advice`` is an exact tuple of exact str: their dict.fromkeys is then a matter of comparing strings. */
static int
plain_advice(PyObject *advice)
{
    if (!PyTuple_CheckExact(advice)) {
        return 0;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(advice); i++) {
        if (!PyUnicode_CheckExact(PyTuple_GET_ITEM(advice, i))) {
            return 0;
        }
    }
    return 1;
}

/* tuple(dict.fromkeys(<the items of sources>)) of tuples of exact str, without the dict: an item is kept unless an
 * equal one came before it (exact str are equal when their code points are). */
static PyObject *
distinct_strings(PyObject *const *sources, Py_ssize_t nsources, Py_ssize_t total)
{
    PyObject *stack[STACK_ADVICE], **kept = total <= STACK_ADVICE ? stack : PyMem_New(PyObject *, total);
    Py_ssize_t n = 0;
    if (kept == NULL) {
        return PyErr_NoMemory();
    }
    for (Py_ssize_t s = 0; s < nsources; s++) {
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(sources[s]); i++) {
            PyObject *item = PyTuple_GET_ITEM(sources[s], i);
            Py_ssize_t k = 0;
            for (; k < n; k++) {
                if (kept[k] == item || (PyUnicode_GET_LENGTH(kept[k]) == PyUnicode_GET_LENGTH(item)
                                        && PyUnicode_Compare(kept[k], item) == 0)) {
                    break;
                }
            }
            if (k == n) {
                kept[n++] = item;
            }
        }
    }
    PyObject *out = PyTuple_New(n);
    for (Py_ssize_t k = 0; out != NULL && k < n; k++) {
        PyTuple_SET_ITEM(out, k, Py_NewRef(kept[k]));
    }
    if (kept != stack) {
        PyMem_Free(kept);
    }
    return out;
}

/* Whether hit ``i``'s rule advises: its weight is positive and its category chosen or half-way to its threshold. */
static inline int
advises(Evaluator *self, const HitKey *key, const double *prob, Py_ssize_t chosen)
{
    Py_ssize_t c = key->index;
    return key->weight > 0 && c >= 0 && (c == chosen || prob[c] >= self->categories[c].threshold / 2);
}

/* The advice source ``i`` of advise's list: the rule of hit ``i`` (i < n) or the chosen category's (i == n).
 * 1 with *advice (borrowed), 0 for a hit whose rule does not advise, -1 with an exception, 2 past the end. */
static int
advice_source(Evaluator *self, const HitKey *keys, Py_ssize_t i, Py_ssize_t n, const double *prob, Py_ssize_t chosen,
              PyObject **advice)
{
    if (i < n) {
        if (!advises(self, &keys[i], prob, chosen)) {
            return 0;
        }
        if ((*advice = PyDict_GetItemWithError(self->advice_of, keys[i].rule)) == NULL) {
            if (!PyErr_Occurred()) {
                PyErr_SetObject(PyExc_KeyError, keys[i].rule);
            }
            return -1;
        }
        return 1;
    }
    if (chosen < 0) {
        return 2;
    }
    *advice = self->categories[chosen].advice;
    return 1;
}

/* Engine._advice */
static PyObject *
advise(Evaluator *self, const HitKey *keys, Py_ssize_t n, const double *prob, Py_ssize_t chosen)
{
    Py_ssize_t first = 0;  /* the first hit whose rule's advice counts */
    while (first < n && !advises(self, &keys[first], prob, chosen)) {
        first++;
    }
    if (first == n && chosen >= 0 && self->categories[chosen].own_advice != NULL) {
        return Py_NewRef(self->categories[chosen].own_advice);
    }
    /* the advice of each advising rule, then the category's, when each is a tuple of str (the usual case) */
    PyObject *stack[STACK_ADVICE + 1], **sources = n - first < STACK_ADVICE ? stack : NULL;
    Py_ssize_t nsources = 0, total = 0;
    for (Py_ssize_t i = first; sources != NULL && i <= n; i++) {
        PyObject *advice;
        int found = advice_source(self, keys, i, n, prob, chosen, &advice);
        if (found < 0) {
            return NULL;
        }
        if (found != 1) {
            if (found == 2) {
                break;
            }
            continue;
        }
        if (!plain_advice(advice)) {
            sources = NULL;
            break;
        }
        sources[nsources++] = advice;
        total += PyTuple_GET_SIZE(advice);
    }
    if (sources != NULL) {  /* only dict look-ups of str keys ran: nothing another pass would see differently */
        return distinct_strings(sources, nsources, total);
    }
    PyObject *seen = PyDict_New(), *out = NULL;
    if (seen == NULL) {
        return NULL;
    }
    for (Py_ssize_t i = first; i <= n; i++) {
        PyObject *advice;
        int found = advice_source(self, keys, i, n, prob, chosen, &advice);
        if (found < 0) {
            goto done;
        }
        if (found != 1) {
            if (found == 2) {
                break;
            }
            continue;
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

/* Engine._verdict for the list ``hits``, sorted in place when ``in_place``; None (a new reference) when the hits
 * are not all of the exact Hit class with str ids and categories and float weights that are not NaN. */
PyObject *
sg_engine_make_verdict(Evaluator *self, PyObject *hits, PyObject *signals, PyObject *failures, int in_place)
{
    Py_ssize_t n = PyList_GET_SIZE(hits), m = self->ncategories, held = 0;
    HitKey stack_keys[32], stack_tmp[32], *keys = stack_keys, *tmp = stack_tmp;
    double stack_prob[32], *prob = stack_prob;
    PyObject *scores = NULL, *hit_tuple = NULL, *advice = NULL, *errors = NULL, *out = NULL;
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
    if (score(self, keys, n, prob) < 0 || (scores = PyDict_Copy(self->zero_scores)) == NULL) {
        goto done;
    }
    for (Py_ssize_t c = 0; c < m; c++) {
        if (prob[c] == 0.0) {  /* as the copied 0.0 (a probability is never -0.0) */
            continue;
        }
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
    if (in_place && PyList_SetSlice(hits, 0, PY_SSIZE_T_MAX, hit_tuple) < 0) {  /* sorted in place, as in Python */
        goto done;
    }
    if ((signals = PySequence_Tuple(signals)) == NULL) {
        goto done;
    }
    if ((advice = advise(self, keys, n, prob, chosen)) == NULL || (errors = PySequence_Tuple(failures)) == NULL) {
        Py_DECREF(signals);
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
    Py_DECREF(signals);
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
    Py_XDECREF(advice);
    Py_XDECREF(errors);
    return out;
}
