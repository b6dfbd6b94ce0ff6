/* Shared by the two sources of smsguard._ctermscan: termscan.c (the Aho-Corasick automaton and the detectors'
 * lexicon scan) and termscan_terms.c (the per-message cache of plugins/_terms.py).
 */
#ifndef SMSGUARD_TERMSCAN_H
#define SMSGUARD_TERMSCAN_H

#include "common.h"

extern PyTypeObject ts_LexiconScan_Type;

/* LexiconScan.scan(text) as two new references, hits by lexicon (a dict) and the lexicons whose masks hit (a set).
 * Returns 0, or -1 with an exception set. */
int ts_lexicon_scan(PyObject *scan, PyObject *text, PyObject **by_lexicon, PyObject **masking);

/* Adds the types of termscan_terms.c to the module. Returns 0, or -1 with an exception set. */
int ts_add_terms_types(PyObject *module);

#endif
