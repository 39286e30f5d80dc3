// Package lure holds what belongs to the whole module rather than to one room: the attacker
// corpus of testdata/corpus, embedded so the binary can use it (lure dataset export) without
// the source tree.
package lure

import _ "embed"

// AttackerCorpus is testdata/corpus/attacker.txt: the command lines attackers and their bots
// type on SSH honeypots, in the format internal/eval.ParseCorpus reads.
//
//go:embed testdata/corpus/attacker.txt
var AttackerCorpus string
