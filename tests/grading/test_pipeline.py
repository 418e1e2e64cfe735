"""The grading pipeline stage by stage: evidence features, each guard, the fitted decision, and the
semantic signal behind its protocol (a stand-in embedder keeps these tests deterministic)."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

import numpy as np
import pytest

from bot import grading
from bot.decks import Card, Deck
from bot.grading import acronyms, guards
from bot.grading import evidence as ev
from bot.grading.decision import load, parse
from bot.grading.normalize import simplify, tokenize, unframed
from bot.grading.reference import compile_reference
from bot.grading.response import Response
from bot.grading.semantic import HashEmbedder, StaticMiniLM, Vectors
from bot.grading.words import is_other_word


def card(answer: str, *accept: str, question: str = "Q?", card_id: str = "c") -> Card:
    return Card(id=card_id, question=question, answer=answer, accept=tuple(accept))


def evidence(c: Card, response: str) -> ev.Evidence:
    return ev.lexical(compile_reference(c), Response(response))


def fired(c: Card, response: str) -> list[str]:
    ref, analysed = compile_reference(c), Response(response)
    return [
        name for name, _ in guards.fired(guards.Context(ref, analysed, ev.lexical(ref, analysed)))
    ]


class SameForEverything:
    """Says every text means the same: the strongest semantic evidence there can be."""

    name = "same-for-everything"

    def embed(self, texts: Sequence[str]) -> Vectors:
        return np.ones((len(texts), 4), np.float32) / 2.0


@pytest.fixture
def lexical_only() -> Iterator[None]:
    grading.use_embedder(None)
    yield
    grading._override.clear()


@pytest.fixture
def everything_alike() -> Iterator[None]:
    grading.use_embedder(SameForEverything())
    yield
    grading._override.clear()


KAIMING = card(
    "Kaiming initialization\nBecause it is designed for ReLU.",
    "Kaiming initialization",
    "He initialization",
    question="Best initialization for ReLU-based networks",
)
STRIDE = card(
    "The step size by which the kernel moves across the input image.",
    "the step size of the kernel",
    question="What is stride in CNNs?",
)
L1L2 = card(
    "L1 pushes some weights to exactly zero; L2 only makes weights small.",
    "L1 drives some weights to exactly zero, L2 only makes weights small",
    question="Difference between L1 and L2 regularization",
)
STACKED = card(
    "For a stack of 3×3 convolutions with stride 1, the effective receptive field of three "
    "layers is 7×7.\n(Formula for L layers: 1 + L(K − 1), where K = 3 for 3×3.)",
    "1 + L(K - 1)",
    question="What is the effective receptive field of stacked 3×3 convolutions?",
)
ISOTOPE = card(
    "Atoms of the same element with the same number of protons but a different number of neutrons.",
    question="What is an isotope?",
)


class TestEvidence:
    def test_recall_of_an_accepted_form(self) -> None:
        assert evidence(STRIDE, "the step size of the kernel").recall == pytest.approx(1.0)
        assert 0.3 < evidence(STRIDE, "the size of the thing").recall < 0.8

    def test_concept_coverage_of_a_paragraph_is_its_best_sentence(self) -> None:
        paragraph = card(
            "Max pooling keeps the maximum value of each region. It reduces the size of feature "
            "maps. It also adds some translation invariance.",
            question="What is max pooling?",
        )
        said = evidence(paragraph, "it keeps the maximum value of each region")
        assert said.concept >= 0.9
        assert evidence(paragraph, "something about cats").concept == 0.0

    def test_a_hyphen_after_a_prefix_joins_the_word(self) -> None:
        frozen = card("Freeze the pre-trained layers", "freeze the pre-trained layers")
        assert evidence(frozen, "freeze the pretrained layers").recall == 1.0
        assert evidence(frozen, "freeze the pre-trained layers").recall == 1.0

    def test_precision_counts_what_the_reference_does_not_say(self) -> None:
        assert evidence(STRIDE, "the step size of the kernel").precision == 1.0
        assert evidence(STRIDE, "the step size of the kernel and pizza toppings").precision < 0.8

    def test_fuzzy_does_not_score_a_subset_as_the_whole(self) -> None:
        cnn = card("Convolutional neural network", question="What does CNN stand for?")
        assert evidence(cnn, "convolutional neural network").fuzzy == 1.0
        assert evidence(cnn, "neural network").fuzzy < 0.8

    def test_length_is_signed(self) -> None:
        assert evidence(STRIDE, "step").length < 0
        assert evidence(STRIDE, "the step size of the kernel " * 3).length > 0

    def test_question_share(self) -> None:
        assert evidence(KAIMING, "best initialization for networks").question_share >= 0.6
        assert evidence(KAIMING, "kaiming").question_share == 0.0

    def test_alternatives(self) -> None:
        assert evidence(KAIMING, "kaiming").alternatives == pytest.approx(math.log1p(2))

    def test_formula_match_ignores_brackets_and_spacing(self) -> None:
        relu = card("a = max(0, z)", "a = max(0, z)", question="ReLU")
        assert evidence(relu, "a=max(0,z)").formula_match
        assert not evidence(relu, "a = max(z, 1)").formula_match

    def test_formula_match_reads_a_rearranged_relation(self) -> None:
        newton = card(
            "The net force on an object equals its mass times its acceleration: F = m × a",
            question="What is Newton's second law of motion?",
        )
        assert evidence(newton, "a = F/m").formula_match
        assert evidence(newton, "m = F / a").formula_match
        assert not evidence(newton, "a = F × m").formula_match
        assert grading.grade(newton, "a = F/m").correct
        assert not grading.grade(newton, "a = m/F").correct

    def test_a_division_said_in_words_keeps_its_order(self) -> None:
        pooling = card(
            "input size / kernel size (non-overlapping pooling, where the stride equals the kernel "
            "size)",
            "input size / kernel size",
            "W / K",
            question="What is the formula for the output size of a pooling layer?",
        )
        assert evidence(pooling, "input size divided by kernel size").formula_match
        assert "formula" in fired(pooling, "kernel size divided by input size")
        assert "formula" not in fired(pooling, "input size over the kernel size")

    def test_a_formula_said_in_the_words_the_card_defines(self) -> None:
        weights = card(
            "K × K × C_in × C_out\nK: kernel size\nC_in: input channels\n"
            "C_out: output channels (number of filters)",
            question="How many parameters (weights) does a convolution layer have?",
        )
        said = "k squared times input channels times output channels"
        assert evidence(weights, said).formula_match
        spelled = "kernel size times kernel size times input channels times number of filters"
        assert evidence(weights, spelled).formula_match
        assert not evidence(weights, "k times input channels times output channels").formula_match
        assert not evidence(
            weights, "k squared plus input channels times output channels"
        ).formula_match
        assert not evidence(weights, "k squared times input channels times biases").formula_match
        assert grading.grade(weights, said).correct
        assert not grading.grade(weights, "k times input channels times output channels").correct

    def test_a_formula_said_in_the_words_of_its_own_sentence(self) -> None:
        newton = card(
            "The net force on an object equals its mass times its acceleration: F = m × a",
            question="What is Newton's second law of motion?",
        )
        assert evidence(newton, "force equals mass times acceleration").formula_match
        assert evidence(newton, "force is mass times acceleration").formula_match
        assert not evidence(newton, "mass equals force times acceleration").formula_match
        assert grading.grade(newton, "force equals mass times acceleration").correct
        assert not grading.grade(newton, "acceleration equals force times mass").correct
        pressure = card("Pressure equals force divided by area: P = F / A", question="Pressure?")
        assert evidence(pressure, "pressure is force divided by area").formula_match
        assert not evidence(pressure, "pressure is area divided by force").formula_match
        # A symbol that is not its word's initial (I for current) is not read this way.
        ohm = card("Voltage equals current times resistance: V = I × R", question="Ohm's law?")
        assert not evidence(ohm, "current equals voltage times resistance").formula_match
        # Initials that do not line up with the formula's symbols define nothing.
        loose = card("Work is done when a force moves a body: W = F × d", question="Work?")
        assert not evidence(loose, "work equals force times body").formula_match

    def test_semantic_is_none_until_an_embedder_runs(self) -> None:
        lexical = evidence(STRIDE, "how far the filter jumps")
        assert lexical.semantic is None
        ref, response = compile_reference(STRIDE), Response("how far the filter jumps")
        full = ev.with_semantic(lexical, ref, response, SameForEverything())
        assert full.semantic == pytest.approx(1.0)
        assert full.vector(semantic=True)[len(ev.LEXICAL_FEATURES)] == pytest.approx(1.0)

    def test_alignment_leaves_the_question_out_on_both_sides(self) -> None:
        pooling = card(
            "It shrinks the feature maps", question="What does a pooling layer do to feature maps?"
        )
        ref = compile_reference(pooling)
        hashed = HashEmbedder()
        # Every word of this response is the question's: with the question left out nothing is said.
        restated = ev.alignment(ref, Response("a pooling layer does feature maps"), hashed)
        # 'shrinks' is aligned with itself once 'feature maps' is left out of both sides.
        answered = ev.alignment(ref, Response("it shrinks feature maps"), hashed)
        assert answered[0] == pytest.approx(1.0)
        assert answered[1] == pytest.approx(1.0)
        assert answered[2] == pytest.approx(1.0)
        assert restated[0] < 0.5 and restated[2] < 0.5

    def test_the_embedding_reads_the_cards_words_spelled_as_the_card_spells_them(self) -> None:
        transfer = card(
            "Reusing features learned on a large dataset", question="Transfer learning?"
        )
        ref = compile_reference(transfer)
        assert ev.spelled(ref, Response("reusing featres lerned elsewhere")).raw == (
            "reusing features learned elsewhere"
        )
        unchanged = Response("reusing features")
        assert ev.spelled(ref, unchanged) is unchanged

    def test_alignment_is_soft_across_words_that_mean_alike(self) -> None:
        pooling = card("It reduces the size of the maps", question="What does pooling do?")
        ref, model = compile_reference(pooling), StaticMiniLM.load()
        alike = ev.alignment(ref, Response("it shrinks the dimensions of the maps"), model)
        unrelated = ev.alignment(ref, Response("it adds colour to the photographs"), model)
        assert alike[0] > unrelated[0] + 0.1
        assert alike[1] > unrelated[1] + 0.1


class TestGuards:
    def test_a_look_alike_counts_when_the_response_is_aimed_at_the_answer_in_other_words(
        self,
    ) -> None:
        thyroid = card(
            "An overactive thyroid gland that produces too much hormone, speeding up metabolism.",
            question="What is hyperthyroidism?",
        )
        ref = compile_reference(thyroid)
        for said, expected in (
            ("an underactive thyroid that makes too little hormone", ["contrast term"]),
            ("an overactive thyroid that makes a lot of hormone", []),
        ):
            response = Response(said)
            lexical = ev.lexical(ref, response)
            assert (
                guards.fired(guards.Context(ref, response, lexical)) == []
            )  # too few words shared
            full = ev.with_semantic(lexical, ref, response, SameForEverything())
            assert [n for n, _ in guards.fired(guards.Context(ref, response, full))] == expected

    def test_missing_parts(self) -> None:
        pooling = card(
            "Max pooling\nAverage pooling",
            "max pooling and average pooling",
            question="Two common types of pooling",
        )
        assert "missing parts" in fired(pooling, "max pooling")
        assert fired(pooling, "average and max pooling") == []

    def test_one_part_of_a_two_part_question(self) -> None:
        same = card(
            "The kernel is evaluated (centered) at every location of the input.\n"
            "Input and output sizes are equal.",
            "kernel centered at every input location and the output is the same size as the input",
            question="What is SAME convolution? How is the size ratio for input and output?",
        )
        assert "question parts" in fired(
            same, "the kernel is centered at every location of the input"
        )
        assert (
            fired(same, "kernel centered at each input position, output same size as input") == []
        )
        assert "question parts" not in fired(
            same, "kernel centered everywhere; the sizes are equal"
        )

    def test_a_line_that_answers_no_part_of_the_question_is_not_asked_for(self) -> None:
        sigmoid = card(
            "Sigmoid tends to saturate at both extremes, so the gradient vanishes there.\n"
            "A gradient of 0 means you do not get enough information to update the model.",
            question="ReLU avoids some issues with the gradient. What were those issues? What was the "
            "problem with for example Sigmoid?",
        )
        assert "question parts" not in fired(sigmoid, "vanishing gradient, sigmoid saturates")

    def test_a_part_said_in_other_words_is_no_missing_part(self) -> None:
        pooling = card(
            "Purpose: reduces dimensionality while preserving important features.\n"
            "Types: max pooling (common) and average pooling.",
            question="What is pooling in CNNs for, and what types are there?",
        )
        said = "downsampling that keeps the key information; usually max pooling, sometimes average"
        assert "question parts" not in fired(pooling, said)

    def test_one_part_answered_with_a_synonym_still_misses_the_other(self) -> None:
        pooling = card(
            "Purpose: reduces dimensionality while preserving important features.\n"
            "Types: max pooling (common) and average pooling.",
            question="What is pooling in CNNs for, and what types are there?",
        )
        said = "reduces dimensionality while keeping the important features"
        assert "question parts" in fired(pooling, said)

    def test_a_two_line_answer_to_one_question_has_no_parts_to_miss(self) -> None:
        assert "question parts" not in fired(L1L2, "L1 pushes some weights to exactly zero")

    def test_guess_lists(self) -> None:
        assert "guess list" in fired(KAIMING, "xavier or kaiming")
        assert "guess list" in fired(KAIMING, "maybe kaiming, maybe xavier")
        assert fired(KAIMING, "kaiming xavier glorot lecun he") != []

    def test_either_or_offers_alternatives_of_any_length(self) -> None:
        skip = card(
            "They allow gradients to bypass layers, improving gradient flow and enabling the "
            "training of very deep networks.",
            question="What is the role of skip connections in ResNet?",
        )
        said = "either they add dropout between the layers or they let gradients bypass layers"
        assert "guess list" in fired(skip, said)
        assert "guess list" not in fired(
            skip, "they let gradients bypass layers, either one or several"
        )

    def test_an_alternative_in_foreign_words_is_a_guess_though_it_shares_one(self) -> None:
        rnn = card(
            "Recurrent neural networks have feedback connections and a hidden state that "
            "remembers information over time sequences.",
            question="What are Recurrent neural networks?",
        )
        said = "networks for sequences, either with a hidden state or with convolution filters sliding over time"
        assert "guess list" in fired(rnn, said)
        assert "guess list" not in fired(
            rnn, "networks with a hidden state that remembers the sequence over time"
        )

    def test_an_ordinary_sentence_is_no_guess_list(self) -> None:
        norm = card(
            "Techniques to standardize the inputs to a layer, which helps to speed up and stabilize "
            "the training of deep neural networks.",
            question="Normalization Layers (BatchNorm, LayerNorm, InstanceNorm)",
        )
        response = "they standardize the inputs to a layer so training is faster and more stable"
        assert fired(norm, response) == []

    def test_the_lead_of_an_answer_that_gives_its_reason_is_the_answer(self) -> None:
        """A teacher writes 'O(log n), because each comparison halves ...': 'O(log n)' alone
        answers the question; a longer lead is a statement whose reason may be half of it."""
        search = card(
            "O(log n), because each comparison halves the portion of the array that remains to"
            " be searched.",
            question="What is the time complexity of binary search on a sorted array?",
        )
        assert grading.grade(search, "O(log n)").outcome == "correct"
        assert grading.grade(search, "O(n)").outcome == "wrong"
        assert grading.grade(search, "O(n log n)").outcome == "wrong"
        leak = card(
            "A memory leak occurs when allocated memory is never freed, so the program's memory"
            " use keeps growing.",
            question="What is a memory leak?",
        )
        assert grading.grade(leak, "memory use keeps growing").outcome != "correct"

    def test_alternatives_in_a_condition_after_the_answer_are_no_guesses(self) -> None:
        """'..., when the pivot is the min or max' says when the answer holds; the answer itself
        is one. A hedge before the condition still offers guesses."""
        quick = card(
            "O(n^2), which happens when the chosen pivot is always the smallest or largest"
            " element.",
            question="What is the worst-case time complexity of quicksort?",
        )
        said = "n squared, when the pivot is always the min or max"
        assert "guess list" not in fired(quick, said)
        assert "guess list" in fired(quick, "n squared or maybe n log n, when the pivot is bad")

    def test_a_list_is_no_guess_when_the_card_asks_for_several(self) -> None:
        techniques = card(
            "Dropout (randomly turns off neurons during training)\nBatch Normalization",
            "dropout and batch normalization",
            question="Common regularization techniques (besides L1/L2)",
        )
        assert "guess list" not in fired(techniques, "dropout, data augmentation, early stopping")

    def test_numbers(self) -> None:
        receptive = card("7×7", "7×7", question="Receptive field of three 3×3 convs")
        assert "numbers" in fired(receptive, "5x5")
        assert fired(receptive, "7 x 7") == []
        total = card("255,632 parameters", "255,632", question="Total parameters?")
        assert fired(total, "255 632") == []
        assert grading.grade(total, "255 632").correct

    def test_a_name_glued_to_its_number_is_the_name_and_the_number(self) -> None:
        said = tokenize(simplify("conv1 and resnet50"))
        assert [t.surface for t in said if t.numeric] == ["1", "50"]
        assert [t.surface for t in tokenize(simplify("L1, co2"))] == ["l1", "co2"]

    def test_a_worked_count_explains_the_total(self) -> None:
        total = card(
            "Conv layer 1: 3×3×1×16 = 144 learnable parameters.\n"
            "Conv layer 2: 3×3×16×32 = 4,608 learnable parameters.\n"
            "Total = 255,632 parameters.",
            "255,632",
            question="How many learnable parameters does the CNN have, and how are they counted?",
        )
        said = "255,632 params, conv1 3x3x16=144, conv2 3x3x16x32=4608"
        assert "numbers" not in fired(total, said)
        assert "numbers" in fired(total, "255,632 params, conv1 3x3x8=144")
        assert grading.grade(total, "255,632 or 4,608").outcome == "wrong"

    def test_an_accepted_form_without_its_distinguishing_word(self) -> None:
        assert "dropped word" in fired(STRIDE, "the size of the kernel")
        assert fired(STRIDE, "the step size of the kernel") == []
        assert "dropped word" not in fired(STRIDE, "how far the kernel steps each time")
        assert "dropped word" not in fired(KAIMING, "kaiming")
        vanishing = card("Vanishing gradients", "vanishing gradients", question="Main problem?")
        assert "dropped word" in fired(vanishing, "gradients")
        quick = card("O(n²)", "O(n^2)", question="Worst case of quicksort?")
        assert "dropped word" not in fired(quick, "n^2")
        # A statement, not a term: its subject may stand as a pronoun, its verb in other words.
        reading = card("the terminals are connected", question="What does a reading of 0 tell?")
        assert "dropped word" not in fired(reading, "they are connected")
        food = card("The food contains sugar", question="What does the test show?")
        assert "dropped word" not in fired(food, "the food has sugar in it")

    def test_the_same_notation_with_other_arguments(self) -> None:
        search = card("O(log n)", "logarithmic", "log n", question="Binary search time?")
        assert "notation" in fired(search, "O(n log n)")
        assert "notation" not in fired(search, "O(log n)")
        assert "notation" not in fired(search, "o( log  n )")
        quick = card("O(n²), for bad pivots.", "O(n^2)", question="Worst case of quicksort?")
        assert "notation" not in fired(quick, "O(n^2)")
        assert "notation" in fired(quick, "O(n log n) or O(n^2)")
        assert "notation" not in fired(quick, "O(n*n)")
        assert "notation" in fired(quick, "O(2^n)")
        relu = card("a = max(0, z)", "max(0, z)", question="ReLU formula?")
        assert "notation" not in fired(relu, "max(z, 0)")

    def test_one_where_the_card_says_several(self) -> None:
        deep = card(
            "Artificial neural networks with multiple hidden layers between the input and output "
            "layers.",
            question="What are deep neural networks?",
        )
        assert "quantity" in fired(deep, "neural networks with exactly one hidden layer")
        assert "quantity" in fired(deep, "a network with a single hidden layer")
        assert "quantity" not in fired(deep, "neural networks with several hidden layers")
        assert "quantity" not in fired(deep, "networks with more than one hidden layer")
        controlled = card(
            "An experiment is controlled if only one variable is changed at a time.",
            question="How do you define a controlled experiment?",
        )
        said = "you change one variable at a time, never more than one variable"
        assert "quantity" not in fired(controlled, said)
        shallow = card("A network with a single hidden layer.", question="What is a shallow net?")
        assert "quantity" in fired(shallow, "a network with many hidden layers")
        pipeline = card(
            "The handling of a stack of multiple networks: it feeds the output of one network "
            "into the next.",
            question="When is a pipeline applied?",
        )
        assert "quantity" not in fired(pipeline, "the output of one network goes into the next")

    def test_formula(self) -> None:
        hinge = card(
            "L_i = Σ_(j≠y) max(0, s_j − s_y + 1)",
            "Σ_(j≠y) max(0, s_j - s_y + 1)",
            question="Hinge loss",
        )
        assert "formula" in fired(hinge, "Σ_(j≠y) max(0, s_y - s_j + 1)")
        assert fired(hinge, "Σ_(j≠y) max(0, s_j - s_y + 1)") == []
        assert grading.grade(hinge, "Σ_(j≠y) max(0,s_j-s_y+1)").correct

    def test_a_formula_in_other_letters_or_followed_by_words(self) -> None:
        size = card(
            "(input size − kernel size) / stride + 1",
            "(W - K) / S + 1",
            question="What is the formula for the size of a convolution's output feature map?",
        )
        assert "formula" not in fired(size, "(n - k)/s + 1 when there's no padding")
        assert "formula" not in fired(size, "(n - k)/s + 1")
        assert "formula" in fired(size, "(n + k)/s + 1 when there's no padding")
        assert "formula" in fired(size, "(k - n)/s + 1")
        assert "formula" in fired(size, "(n - k)/s when there's no padding")
        assert not grading.grade(size, "(n + k)/s + 1").correct

    def test_contrast_terms(self) -> None:
        assert "contrast term" in fired(KAIMING, "Xavier initialization")
        division = card("Mitosis", "mitosis", question="Which division makes two identical cells?")
        assert "contrast term" in fired(division, "meiosis")
        hypo = card("Hypothyroidism", "hypothyroidism", question="Too little thyroid hormone?")
        assert "contrast term" in fired(hypo, "hyperthyroidism")
        assert fired(KAIMING, "Kaiming, not Xavier") == []

    def test_signed_pairs_of_direction_and_operation(self) -> None:
        vanishing = card(
            "A problem in very deep networks where the gradient becomes extremely small, causing "
            "the weights in the early layers to stop updating.",
            "the gradients become tiny so the early layers stop learning",
            question="What are vanishing gradients?",
        )
        assert "contrast term" in fired(
            vanishing, "the gradients become tiny so the last layers stop learning"
        )
        residual = card(
            "By enabling identity mappings, they prevent gradient degradation.",
            question="How do residual connections improve optimization?",
        )
        assert "contrast term" in fired(
            residual, "by enabling identity mappings they cause gradient degradation"
        )
        convolution = card(
            "A kernel slides over an image, performing element-wise multiplication and summation.",
            "a kernel slides over the image, multiplying element-wise and summing",
            question="How does convolution work?",
        )
        assert "contrast term" in fired(
            convolution,
            "a kernel slides over the image, multiplying element-wise and taking the max",
        )

    def test_a_response_aimed_at_an_accepted_form_is_held_to_the_answers_terms(self) -> None:
        augmentation = card(
            "Enhances generalization by artificially expanding datasets through transformations "
            "like rotations, flips, and noise addition.",
            "it enlarges the dataset with transformations so the model generalizes better",
            question="What is the role of data augmentation in CNN training?",
        )
        shrunk = "it shrinks the dataset by removing rotated and flipped duplicates so the model generalizes better"
        assert "contrast term" in fired(augmentation, shrunk)
        assert not grading.grade(augmentation, shrunk).correct
        assert grading.grade(
            augmentation, "it enlarges the dataset with flips and rotations"
        ).correct

    def test_a_placed_contrast_counts_only_about_the_same_thing(self) -> None:
        skip = card(
            "They allow gradients to bypass layers, improving gradient flow and enabling the "
            "training of very deep networks.",
            question="What is the role of skip connections in ResNet?",
        )
        said = (
            "they let gradients bypass layers, which reduces gradient flow so very deep nets train"
        )
        assert "contrast term" in fired(skip, said)
        dropout = card(
            "Dropout improves generalization by randomly turning off neurons during training.",
            question="What does dropout do?",
        )
        assert "contrast term" not in fired(
            dropout, "it reduces overfitting by randomly turning off neurons"
        )

    def test_a_look_alike_closer_to_the_terms_place_than_the_term_itself(self) -> None:
        kernels = card(
            "Ten masks slide over the input, each looking for a different feature: ten different "
            "features in all.",
            "ten filters looking for ten different features",
            question="When you say “my layer has 10 kernels”, what does that mean?",
        )
        said = "ten masks slide over the input all looking for the same feature at ten different positions"
        assert "contrast term" in fired(kernels, said)
        assert "contrast term" not in fired(
            kernels, "ten masks sliding over the input, each looking for a different feature"
        )

    def test_a_look_alike_in_the_terms_place_counts_though_the_term_is_said_elsewhere(
        self,
    ) -> None:
        receptive = card(
            "The region of the input image that influences a particular activation in deeper "
            "layers, growing with network depth.",
            "the region of the input that affects an activation",
            question="What is a receptive field in CNNs?",
        )
        swapped = "the region of the output that an input pixel affects"
        assert "contrast term" in fired(receptive, swapped)
        said = "the region of the input image that an activation deep in the network depends on"
        assert "contrast term" not in fired(receptive, said)
        both = "the region of the input that affects an activation, not the output"
        assert "contrast term" not in fired(receptive, both)
        small = card(
            "They reduce parameters, improve efficiency, and achieve the same receptive field "
            "depth with stacked layers.",
            "fewer parameters, and stacked they reach the same receptive field",
            question="What are the benefits of small convolution filters (e.g., 3x3) over large ones?",
        )
        more = "they use more parameters but give a smaller receptive field"
        assert "contrast term" in fired(small, more)
        assert "contrast term" not in fired(small, "fewer parameters, and stacked the same field")

    def test_a_term_denied_the_same_way_is_still_a_substitute(self) -> None:
        xavier = card(
            "It doesn't work well with ReLU.",
            "it does not work well with ReLU",
            question="What is the limitation of Xavier initialization?",
        )
        assert "contrast term" in fired(xavier, "it doesn't work well with tanh")
        assert "contrast term" not in fired(xavier, "it does not work well with relu")
        l2 = card("L2 does not push weights to exactly zero.", question="What does L2 not do?")
        assert "contrast term" not in fired(l2, "L1 pushes weights to exactly zero")

    def test_opposite_data_splits_and_sides(self) -> None:
        stop = card(
            "When the validation loss starts increasing again.",
            "when the validation loss starts increasing",
            question="How do we know when to stop training?",
        )
        assert "contrast term" in fired(stop, "once the training loss starts going up")
        both = "when the validation loss goes up while the training loss keeps falling"
        assert fired(stop, both) == []
        shift = card("Internal covariate shift", "internal covariate shift", question="Why norm?")
        assert "contrast term" in fired(shift, "external covariate shift")

    def test_minimizing_is_reducing(self) -> None:
        descent = card(
            "We follow the negative of the gradient because we want to minimize the loss.",
            question="Why do we follow the negative gradient?",
        )
        assert "contrast term" in fired(descent, "we follow the gradient to increase the loss")
        assert fired(descent, "to reduce the loss") == []

    def test_words_that_only_look_alike_are_no_contrast(self) -> None:
        where = card("The position of the kernel", question="What does the offset give?")
        assert "contrast term" not in fired(where, "the location of the kernel")

    def test_negation(self) -> None:
        xavier = card(
            "It doesn't work well with ReLU.",
            "it does not work well with ReLU",
            question="Limitation of Xavier initialization",
        )
        assert "negation" in fired(xavier, "it works well with ReLU")
        assert fired(xavier, "it does not work well with relu") == []
        assert "negation" not in fired(xavier, "it works poorly with ReLU")

    def test_denying_what_the_answer_is_about(self) -> None:
        deep = card(
            "Deep learning is a subfield of machine learning that focuses on training artificial "
            "neural networks with multiple layers to learn hierarchical representations of data.",
            "machine learning with neural networks of many layers that learn hierarchical "
            "representations from data",
            question="What is deep learning?",
        )
        denied = "machine learning with hand-written rules and no neural networks"
        assert "negation" in fired(deep, denied)
        kept = "machine learning with many-layered neural networks, no hand-written features"
        assert "negation" not in fired(deep, kept)

    def test_too_is_no_word_of_the_claim(self) -> None:
        rate = card(
            "It can cause the optimization to overshoot the ideal solution and bounce around, "
            "possibly preventing the model from converging.",
            "it overshoots the minimum and may not converge",
            question="What is the effect of a large learning rate?",
        )
        assert "negation" in fired(rate, "it converges too slowly to the minimum")
        assert "negation" not in fired(rate, "the steps are too big, so it may never converge")

    def test_a_word_equation_is_read_side_by_side(self) -> None:
        respiration = card(
            "Glucose + oxygen → carbon dioxide + water (releasing energy as ATP).",
            question="What is the word equation for aerobic respiration?",
        )
        assert "formula" not in fired(
            respiration, "oxygen + glucose → carbon dioxide + water + energy"
        )
        assert "formula" in fired(respiration, "carbon dioxide + water → glucose + oxygen")
        residual = card("y = F(x) + x", question="ResNet (Residual Block Relation)")
        assert "formula" in fired(residual, "y = F(x) * x")

    def test_denying_a_word_is_saying_its_contrary(self) -> None:
        isotope = card(
            "Atoms of the same element with a different number of neutrons.",
            question="What is an isotope?",
        )
        assert "negation" not in fired(
            isotope, "atoms of the same element that don't have the same number of neutrons"
        )
        assert "negation" in fired(
            isotope, "atoms of the same element that don't have a different number of neutrons"
        )

    def test_a_label_before_a_colon_belongs_to_its_line(self) -> None:
        padding = card(
            "padding='valid': no padding, reducing the output size.\n"
            "padding='same': pads the input to keep the output size the same.",
            question="What is padding in CNNs?",
        )
        said = "valid does not pad so the output shrinks, same does pad so the size doesn't change"
        assert "negation" not in fired(padding, said)
        assert "negation" in fired(padding, "valid pads the input so the output shrinks")

    def test_a_difference_must_name_a_side_in_any_form_of_its_word(self) -> None:
        cells = card(
            "Eukaryotic cells have a nucleus; prokaryotic cells have none.",
            question="What is the difference between prokaryotic and eukaryotic cells?",
        )
        assert "negation" not in fired(cells, "eukaryotes have a nucleus, prokaryotes don't")
        assert "negation" in fired(cells, "one has a nucleus and the other does not")

    def test_nothing_and_nobody_deny_like_not(self) -> None:
        linked = card(
            "Its size can grow and shrink at run time, and inserting or deleting an element does "
            "not require shifting the other elements.",
            question="What is the main advantage of a linked list over an array?",
        )
        assert "negation" not in fired(
            linked, "dynamic size, and inserting is cheap because nothing has to be shifted"
        )
        assert "negation" in fired(linked, "inserting an element requires shifting the others")
        lonely = card("Nobody can access a private member from outside the class.", question="Q?")
        assert "negation" in fired(lonely, "anybody can access a private member from outside")
        assert "negation" not in fired(lonely, "no one outside the class can access it")

    def test_a_negative_tone_is_no_flip(self) -> None:
        pooling = card(
            "input size / kernel size (non-overlapping pooling, where the stride equals the kernel size)",
            "input size / kernel size",
            question="Pooling size formula",
        )
        assert "negation" not in fired(
            pooling, "input size divided by kernel size when windows don't overlap"
        )
        rare = card("It almost never happens.", question="How often do exact ties occur?")
        assert "negation" not in fired(rare, "it rarely happens")

    def test_the_other_one_does_not(self) -> None:
        conv = card(
            "Cross-correlation does not flip the kernel, while convolution does.",
            "convolution flips the kernel and cross-correlation does not",
            question="Difference between cross-correlation and convolution?",
        )
        assert "negation" in fired(
            conv, "convolution does not flip the kernel, cross-correlation does"
        )
        assert "negation" in fired(conv, "both flip the kernel")
        assert fired(conv, "cross-correlation doesn't flip the kernel but convolution does") == []

    def test_the_other_one_in_words_of_its_own(self) -> None:
        conv = card(
            "Cross-correlation does not flip the kernel, while convolution does.",
            "convolution flips the kernel and cross-correlation does not",
            question="Difference between cross-correlation and convolution?",
        )
        own = "convolution flips the kernel first; cross-correlation uses it as it is"
        assert "negation" not in fired(conv, own)
        assert "negation" in fired(conv, "cross-correlation flips the kernel, convolution does not")
        shared = card(
            "Convolutional layers share weights across positions; locally connected layers do not.",
            "convolutional layers share weights across positions and locally connected layers do not",
            question="What are the differences between locally connected layers and convolutional layers?",
        )
        separate = (
            "conv layers reuse the same weights at every position while locally connected layers "
            "have separate weights"
        )
        assert "negation" not in fired(shared, separate)
        assert "negation" in fired(
            shared, "locally connected layers share weights across positions"
        )

    def test_a_poor_fit_is_said_negatively(self) -> None:
        xavier = card(
            "It doesn't work well with ReLU.",
            "it does not work well with ReLU",
            question="Limitation of Xavier initialization",
        )
        assert "negation" not in fired(xavier, "it's a poor fit for ReLU networks")

    def test_roles(self) -> None:
        assert "roles" in fired(L1L2, "L2 drives weights to exactly zero, L1 only makes them small")
        assert not grading.grade(L1L2, "L1 makes weights small").correct
        assert fired(L1L2, "L1 drives weights to exactly zero while L2 only makes them small") == []

    def test_swapped_attributes(self) -> None:
        assert "roles" in fired(
            ISOTOPE, "same number of neutrons but a different number of protons"
        )
        assert fired(ISOTOPE, "same number of protons but a different number of neutrons") == []

    def test_a_generic_word_the_question_names_is_a_subject(self) -> None:
        threads = card(
            "A process has its own memory space; threads run inside a process and share its memory.",
            question="What is the difference between a process and a thread?",
        )
        swapped = "threads have their own memory space and processes share memory"
        assert "roles" in fired(threads, swapped)
        assert "roles" not in fired(threads, "a process has its own memory and threads share it")
        denied = "processes don't share memory but threads inside one process do"
        assert "negation" not in fired(threads, denied)

    def test_what_turns_into_what(self) -> None:
        compiler = card(
            "It translates source code into machine code before the program runs.",
            question="What does a compiler do?",
        )
        assert "roles" in fired(compiler, "translates machine code into source code")
        assert "roles" not in fired(compiler, "turns source code into machine code before it runs")
        assert "roles" not in fired(compiler, "from source code to machine code")
        assert "roles" in fired(compiler, "from machine code to source code")

    def test_swapped_attributes_listed_with_and(self) -> None:
        gradients = card(
            "Numeric gradient is easy to implement but is slow and an approximation.\nAnalytic "
            "gradient is fast and exact but it's easier to make coding mistakes.",
            "numeric is slow and approximate, analytic is fast and exact",
            question="How do numeric and analytic gradients compare?",
        )
        swapped = "numeric gradients are exact and analytic ones are approximate"
        assert "roles" in fired(gradients, swapped)
        assert "roles" not in fired(
            gradients, "numeric ones are approximate and slow, analytic ones exact and fast"
        )

    def test_one_noun_in_two_roles_swapped(self) -> None:
        transfer = card(
            "By freezing pre-trained convolutional layers and updating only the final layers, it "
            "reduces the parameters to train on small datasets.",
            question="How does transfer learning reduce computation?",
        )
        swapped = "you freeze the final layers and retrain all the pretrained conv layers"
        assert "roles" in fired(transfer, swapped)
        assert not grading.grade(transfer, swapped).correct
        for said in (
            "freeze the pretrained conv layers and only retrain the final layers",
            "freeze the pretrained layers and update the final layers on top of the pretrained ones",
            "the pretrained layers stay frozen, only the final layers are trained",
            "you freeze the pretrained conv layers and only train the last layers, so way fewer "
            "params to update",
        ):
            assert "roles" not in fired(transfer, said), said

    def test_what_labelled_lines_say_swapped_between_labels(self) -> None:
        padding = card(
            "padding='valid': no padding, reducing the output size.\n"
            "padding='same': pads the input to keep the output size the same.",
            question="What is padding in CNNs?",
        )
        swapped = "valid pads the input to keep the output the same size, same uses no padding so the output shrinks"
        assert "roles" in fired(padding, swapped)
        right = "valid uses no padding so the output shrinks, same pads the input to keep the size"
        assert "roles" not in fired(padding, right)

    def test_formulas_swapped_between_labelled_lines(self) -> None:
        penalties = card(
            "L1: loss + λ Σ_(i=1..n) |W_i|\nL2: loss + λ Σ_(i=1..n) W_i²",
            "L1 adds λ times the sum of absolute weights, L2 adds λ times the sum of squared weights",
            question="What do L1 and L2 regularization add to the loss, specifically?",
        )
        assert not grading.grade(penalties, "L1 adds λ Σ W_i², L2 adds λ Σ |W_i|").correct
        assert grading.grade(penalties, "L1 adds λ Σ |W_i|, L2 adds λ Σ W_i²").correct

    def test_paired_options_swapped(self) -> None:
        naive = card(
            "Initializing all weights to very small/large random values can cause the signals "
            "(gradients) to shrink/explode, making the network very difficult to train.",
            "gradients vanish or explode",
            question="What is the problem with naive weight initialization?",
        )
        swapped = (
            "if all weights start very small the gradients explode, and if very large they vanish"
        )
        assert "roles" in fired(naive, swapped)
        right = "if the weights are too small the gradients shrink, if too large they explode"
        assert "roles" not in fired(naive, right)

    def test_swapped_modifiers(self) -> None:
        semi = card(
            "A learning paradigm where models are trained on a small labeled dataset alongside "
            "a larger unlabeled dataset.",
            question="What is semi-supervised learning?",
        )
        assert "roles" in fired(
            semi, "training on a large labeled dataset with a small unlabeled one"
        )
        assert (
            fired(semi, "training on a small labeled set together with a large unlabeled one") == []
        )
        assert fired(semi, "a few labeled examples and lots of unlabeled data") == []

    def test_direction(self) -> None:
        full = card(
            "At least one value of the kernel covers the input.\nThe input is smaller than the output.",
            question="What is FULL convolution? How is the size ratio for input and output?",
        )
        assert "direction" in fired(full, "the output is smaller than the input")
        assert "direction" not in fired(full, "the output is larger than the input")

    def test_a_comparison_with_its_other_side_left_out(self) -> None:
        valid = card(
            "Normal convolution: every considered point lies within the input.\n"
            "The input is larger than the output.",
            "every kernel point lies inside the input and the output is smaller than the input",
            question="What is VALID convolution? How is the size ratio for input and output?",
        )
        assert "direction" in fired(
            valid, "the kernel stays inside the input so the output is larger"
        )
        smaller = "the kernel stays inside the input so the output is smaller"
        assert fired(valid, smaller) == []

    def test_restating_the_question(self) -> None:
        assert "restated question" in fired(KAIMING, "Best initialization for ReLU-based networks")

    def test_the_order_is_the_priority(self) -> None:
        names = [guard.name for guard in guards.GUARDS]
        assert names.index("guess list") < names.index("contrast term")
        assert len(names) == len(set(names))


class TestDecision:
    def test_the_shipped_fit_loads_and_grows_with_recall(self) -> None:
        decision = load()
        low, high = evidence(STRIDE, "the size"), evidence(STRIDE, "the step size of the kernel")
        assert decision.lexical.probability(high) > decision.lexical.probability(low)
        assert decision.lexical.close_at < decision.lexical.accept_at
        assert decision.semantic.close_at < decision.semantic.accept_at

    def test_a_fit_for_other_features_is_refused(self) -> None:
        bad = '{"lexical": {"features": ["recall"], "weights": [1], "bias": 0, "accept_at": 0.5, "close_at": 0.4}, "semantic": {}}'
        with pytest.raises(ValueError, match="fitted on"):
            parse(bad)


class TestSemanticRescue:
    def test_similarity_rescues_a_paraphrase(self, lexical_only: None) -> None:
        paraphrase = "the distance the kernel shifts across the image"
        assert not grading.grade(STRIDE, paraphrase).correct
        grading.use_embedder(SameForEverything())
        assert grading.grade(STRIDE, paraphrase).correct

    def test_an_answer_accepted_on_looks_is_still_checked_by_the_guards(
        self, lexical_only: None
    ) -> None:
        """Few of the answer's words, a high fuzzy ratio: the lexical model alone would accept it,
        but whether it is aimed at the answer (so that its flipped clause counts) takes the
        embedding, and the guards must see that before it is accepted."""
        cells = card(
            "Eukaryotic cells have a nucleus and membrane-bound organelles; "
            "prokaryotic cells (bacteria) have neither.",
            question="What is the difference between prokaryotic and eukaryotic cells?",
        )
        swapped = "prokaryotic cells have a nucleus and eukaryotic cells do not"
        assert grading.grade(cells, swapped).correct
        grading.use_embedder(SameForEverything())
        assert grading.grade(cells, swapped).outcome == "wrong"
        assert grading.grade(
            cells, "eukaryotic cells have a nucleus, prokaryotic ones do not"
        ).correct

    @pytest.mark.parametrize(
        ("c", "response"),
        [
            (KAIMING, "Xavier initialization"),
            (KAIMING, "xavier or kaiming"),
            (card("7×7", "7×7", question="Receptive field of three 3×3 convs"), "5x5"),
            (
                card(
                    "It doesn't work well with ReLU.",
                    question="Limitation of Xavier initialization",
                ),
                "it is designed for ReLU",
            ),
            (ISOTOPE, "same number of neutrons but a different number of protons"),
        ],
    )
    def test_a_guard_never_loses_to_similarity(
        self, everything_alike: None, c: Card, response: str
    ) -> None:
        assert grading.grade(c, response).outcome == "wrong"

    def test_the_shipped_model_grades_a_paraphrase_and_a_contrast(self) -> None:
        grading.use_embedder(StaticMiniLM.load())
        try:
            transfer = card(
                "A method to reuse features learned from large datasets like ImageNet for new tasks.",
                question="What is transfer learning in deep learning?",
            )
            assert grading.grade(
                transfer, "reusing features learned on imagenet for new tasks"
            ).correct
            assert grading.grade(KAIMING, "Xavier initialization").outcome == "wrong"
        finally:
            grading._override.clear()


class TestConfusion:
    def test_only_when_the_other_card_is_clearly_likelier(self) -> None:
        stride = card(
            "The step size by which the kernel moves across the input image.",
            question="What is stride in CNNs?",
            card_id="stride",
        )
        pooling = card(
            "input size / kernel size (non-overlapping pooling, where the stride equals the kernel size)",
            "input size / kernel size",
            question="Pooling size formula",
            card_id="pool",
        )
        deck = Deck(id="d", name="D", cards=(stride, pooling))
        verdict = grading.grade(stride, "how many pixels the filter jumps", deck=deck)
        assert verdict.confused_with is None
        assert grading.grade(stride, "input size / kernel size", deck=deck).confused_with == "pool"


class TestWords:
    def test_a_typo_lands_on_a_rare_form_a_look_alike_on_a_real_word(self) -> None:
        assert is_other_word("mitosis", "meiosis")
        assert is_other_word("hypothyroidism", "hyperthyroidism")
        assert not is_other_word("kernel", "kernal")
        assert not is_other_word("convolution", "convolutoin")

    def test_feedback_names_concepts_not_filler(self) -> None:
        deep = card(
            "Deep learning is a subfield of machine learning that focuses on training artificial "
            "neural networks with multiple layers.",
            question="What is deep learning?",
        )
        feedback = grading.grade(deep, "machine learning").feedback
        for filler in ("focuses", "sorts", "multiple"):
            assert filler not in feedback

    def test_a_word_of_the_same_family_matches_below_the_word_itself(self) -> None:
        cost = card("Computational cost", "computational cost", question="Q?")
        said = evidence(cost, "the cost to compute").recall
        assert 0.75 < said < 1.0
        interpretable = card("Interpretability", "interpretability", question="Q?")
        assert 0.75 < evidence(interpretable, "hard to interpret").recall < 1.0
        vulnerable = card("Vulnerability to attacks", "vulnerability to attacks", question="Q?")
        assert evidence(vulnerable, "vulnerable to attacks").recall > 0.75
        # Words that only begin alike, or whose ending changes the meaning, stay apart.
        for reference, response in (
            ("position", "positive"),
            ("organization", "organ"),
            ("normalization", "normal"),
            ("relation", "relative"),
        ):
            assert evidence(card(reference, reference), response).recall == 0.0, response

    def test_a_word_cut_short_as_notes_cut_it_stands_for_the_word(self) -> None:
        """'pred' for 'prediction', 'derivs' for 'derivatives': the word's opening, rare as a word
        of its own. A common word that opens another ('under', 'over', 'pre') is that word."""
        prediction = card("How close the prediction is", "how close the prediction is")
        assert evidence(prediction, "how close the pred is").recall == pytest.approx(
            evidence(prediction, "how close the prediction is").recall, abs=0.1
        )
        derivatives = card("Small derivatives multiply", "small derivatives multiply")
        assert evidence(derivatives, "small derivs multiply").recall > 0.9
        for reference, response in (
            ("underfitting", "under"),
            ("overfitting", "over"),
            ("pretrained", "pre"),
            ("convolution", "con"),
            ("probability", "pro"),  # too short to stand for anything
            ("prediction", "predicate"),  # not its opening
            ("heaters", "heats"),  # words of their own, of another meaning
            ("crystallize", "crystals"),
        ):
            assert evidence(card(reference, reference), response).recall == 0.0, response

    def test_a_count_labelled_by_its_initial_reads_as_the_card_labels_it(self) -> None:
        """'6p 8n 6e' for '6 protons, 8 neutrons and 6 electrons': each count with the initial of
        the word the card puts after that number. Counts swapped, or an initial the card does not
        give that number, stay other numbers."""
        atom = card(
            "6 protons, 8 neutrons and 6 electrons.",
            question="How many protons, neutrons and electrons does a neutral carbon-14 atom have?",
        )
        for said in ("6p 8n 6e", "6 p, 8 n, 6 e"):
            assert grading.grade(atom, said).outcome == "correct", said
        for said in ("8p 6n 6e", "6p 8n 8e", "6x 8n 6e"):
            assert grading.grade(atom, said).outcome == "wrong", said

    def test_a_word_cut_short_reaches_the_embedding_spelled_out(self) -> None:
        prediction = card("How close the prediction is", "how close the prediction is")
        ref = compile_reference(prediction)
        assert ev.spelled(ref, Response("how close the pred is")).raw == (
            "how close the prediction is"
        )
        feedback = grading.grade(prediction, "how close the pred is").feedback
        assert "spelling" not in feedback


class TestIndependentFindings:
    """The misfires the independent sets found (issue 9), each as the principle it broke."""

    def test_a_reference_with_aren_t_or_barely_accepts_a_paraphrase(self) -> None:
        arent = card(
            "Weights aren't shared between positions.",
            question="Locally connected layers: are weights shared?",
        )
        assert "negation" not in fired(
            arent, "each position has its own weights, they are not shared"
        )
        barely = card("The loss barely changes.", question="What happens to the loss on a plateau?")
        assert "negation" not in fired(barely, "the loss hardly changes at all")

    def test_a_negation_the_response_does_not_touch_is_not_lost(self) -> None:
        """A teacher's sentence that denies something in passing ('so that changes do not break
        existing code') is no negative answer to a response about the rest of it."""
        unit = card(
            "Unit testing checks that each small, isolated part of a program, such as a single"
            " function or class, behaves correctly, so that errors are found early and changes do"
            " not break existing code.",
            question="What is the purpose of unit testing?",
        )
        said = "testing each function or class on its own to make sure it works as expected"
        assert "negation" not in grading.grade(unit, said).feedback
        base = card(
            "It is the condition under which the function returns without making a recursive"
            " call, which stops the recursion and prevents infinite calls.",
            question="What is the purpose of a base case in a recursive function?",
        )
        assert "negation" not in grading.grade(base, "to end the recursion").feedback
        turned = grading.grade(base, "the function returns by making a recursive call")
        assert "negation" in turned.feedback

    def test_a_negation_denies_only_what_follows_it(self, lexical_only: None) -> None:
        """'It stops the recursion so it doesn't go on forever' restates 'stops the recursion' and
        denies going on forever, which the reference does not speak of: no flip. Denying what it
        says is one. (The stand-in embedder finds every response aimed at the answer, so the
        guard reads each one.)"""
        grading.use_embedder(SameForEverything())
        base = card(
            "It is the condition under which the function returns without making a recursive"
            " call, which stops the recursion and prevents infinite calls.",
            question="What is the purpose of a base case in a recursive function?",
        )
        said = "It stops the recursion so it doesn't go on forever."
        assert "negation" not in grading.grade(base, said).feedback
        pool = card(
            "It keeps the largest value in each window.", question="What does max pooling do?"
        )
        said = "it does not keep the largest value in each window"
        assert "negation" in grading.grade(pool, said).feedback
        fit = card("Overfitting", question="Low training loss, high validation loss: what is it?")
        assert "negation" not in fired(fit, "overfitting, not underfitting")

    def test_a_statement_said_to_hold_poorly_is_flipped_by_saying_it_holds(self) -> None:
        """'it only works when the tasks differ' for 'it works poorly when the tasks differ': the
        'poorly' is lost ('only' narrows, it does not weaken); 'badly' keeps it."""
        limit = card(
            "It performs poorly when the target task is significantly different from the source"
            " task.",
            "it works poorly when the target task is very different from the source task",
            question="What is the main limitation of transfer learning?",
        )
        flipped = "it only works when the target task is very different from the source task"
        assert grading.grade(limit, flipped).outcome == "wrong"
        kept = "it works badly when the target task is very different from the source task"
        assert "negation" not in grading.grade(limit, kept).feedback

    def test_a_denial_said_with_the_denied_words_contrary_keeps_its_polarity(self) -> None:
        solubility = card(
            "Solubility is not the same for all materials.",
            question="Why can two students dissolve different amounts of two powders?",
        )
        said = "different materials have different solubility"
        assert "negation" not in fired(solubility, said)
        assert "negation" in fired(solubility, "solubility is the same for all materials")

    def test_a_response_that_says_the_plain_side_loses_no_polarity(self) -> None:
        """An answer with a plain and a denying clause ('if it sticks ... iron; if it does not
        stick ... aluminum'): saying the plain one says nothing opposite."""
        key = card(
            "If the key sticks, the key is iron; if the key does not stick the key is aluminum.",
            question="How can a magnet tell an iron key from an aluminum one?",
        )
        assert "negation" not in fired(key, "if it is iron it will stick")
        xavier = card("It doesn't work well with ReLU.", question="What is Xavier's limitation?")
        assert "negation" in fired(xavier, "it works well with ReLU")

    def test_no_things_is_what_zero_things_says(self) -> None:
        boat = card(
            "The boat with 0 marbles is the standard in this experiment.",
            question="Which boat is the standard in the experiment?",
        )
        assert "negation" not in fired(boat, "The boat with no marbles is the standard.")

    def test_review_findings_on_this_sessions_rules(self) -> None:
        """Inputs a review found against the rules above, each expected verdict written before
        the fix."""
        threads = card("Threads use less memory than processes.", question="Threads vs processes?")
        said = "Threads use smaller amounts of memory than processes."
        assert "negation" not in grading.grade(threads, said).feedback
        poorly = card("The model performs poorly when the tasks differ.", question="Limitation?")
        assert (
            "negation"
            not in grading.grade(poorly, "the model struggles when the tasks differ").feedback
        )
        bits = card("log2 n bits", question="How many bits does a number up to n need?")
        assert not grading.grade(bits, "log10 n bits").correct
        edges = card("4", question="How many edges does a tree with 5 nodes have?")
        assert not grading.grade(edges, "4, if not 6").correct
        assert not grading.grade(edges, "4, as well as 6").correct
        kinds = card(
            "There are two kinds:\nMax pooling: keeps the largest value.\n"
            "Average pooling: takes the mean.",
            question="What kinds of pooling are there?",
        )
        said = "max pooling keeps the largest value, average pooling takes the mean"
        assert grading.grade(kinds, said).correct
        bullets = card(
            "- Max pooling: keeps the largest value.\n- Average pooling: takes the mean.",
            question="What kinds of pooling are there?",
        )
        half = grading.grade(bullets, "max pooling keeps the largest value")
        assert not half.correct and "- " not in half.feedback
        density = card("Density is not the same for all materials.", question="Density?")
        said = "density is the same for different materials"
        assert not grading.grade(density, said).correct
        traits = card(
            "- Locality: neighboring pixels are highly correlated\n"
            "- Translation invariance: meaningful patterns can appear anywhere\n"
            "- Compositionality: learning feature hierarchies",
            "locality, translation invariance and compositionality",
            question="What are some characteristics of visual data?",
        )
        said = "locality, rotation invariance and compositionality"
        assert not grading.grade(traits, said).correct
        boat = card(
            "The boat with 0 marbles floats highest.", question="Which boat floats highest?"
        )
        assert (
            "negation"
            not in grading.grade(boat, "the boat with no marbles floats highest").feedback
        )

    def test_a_change_that_stops_is_denied(self) -> None:
        """'the training loss stops decreasing' says the training loss no longer decreases, where
        the card says it keeps falling; 'stop training' and 'stops the recursion' deny nothing."""
        early = card(
            "When the loss on held-out validation data starts increasing again while the training"
            " loss keeps falling.",
            "when the validation loss starts increasing",
            question="How do we know when to stop training?",
        )
        assert not grading.grade(early, "stop when the training loss stops decreasing").correct
        said = "stop training when the validation loss starts increasing"
        assert grading.grade(early, said).correct
        assert simplify("it stops the recursion") == "it stops the recursion"

    def test_a_count_written_as_a_variable_is_several(self) -> None:
        locks = card(
            "A mutex is a lock that lets only one thread at a time into a critical section,"
            " whereas a semaphore is an integer counter that can let up to N threads access a"
            " resource.",
            question="What is the difference between a mutex and a semaphore?",
        )
        said = "a mutex lets one thread in, a semaphore can let several threads in at once"
        assert "quantity" not in fired(locks, said)
        layers = card("A network with a single hidden layer.", question="What is a shallow net?")
        assert "quantity" in fired(layers, "a network with several hidden layers")

    def test_a_function_word_of_a_denying_clause_says_nothing_of_it(self) -> None:
        """'if the quantum is too big ...' shares only 'if' with 'if it has not finished when the
        quantum expires': no sign that it speaks of what that clause denies."""
        robin = card(
            "Each ready process is given the CPU in turn for a fixed time quantum; if it has not"
            " finished when the quantum expires, it is preempted and placed at the back of the"
            " ready queue.",
            question="How does round-robin scheduling work?",
        )
        said = "each process gets the cpu for a quantum, preempted at the end; if the quantum is too big it becomes fcfs"
        assert "negation" not in grading.grade(robin, said).feedback

    def test_numbers_in_the_reason_are_no_second_answer(self) -> None:
        """'O(n²), since partitions are of size n-1 and 0': the numbers after 'since' explain
        the answer; beside the answer itself they would be another one."""
        quick = card(
            "O(n^2), which happens when the chosen pivot is always the smallest or largest"
            " element, for example on an already sorted array with the first element as pivot.",
            question="What is the worst-case time complexity of quicksort?",
        )
        said = (
            "Quadratic, O(n²), e.g. sorting an already sorted array and taking the first element"
            " as pivot, since partitions are of size n-1 and 0."
        )
        assert "numbers" not in fired(quick, said)
        assert "numbers" in fired(quick, "O(n^3), since partitions are of size n-1 and 0")
        assert "numbers" in fired(quick, "O(n^2) and O(n^3)")

    def test_a_logarithm_s_base_is_no_number_of_the_answer(self) -> None:
        search = card(
            "O(log n), because each comparison halves the portion of the array that remains to"
            " be searched.",
            question="What is the time complexity of binary search on a sorted array?",
        )
        assert "numbers" not in fired(search, "O(log2 n)")
        assert "numbers" not in fired(search, "about log2(n) comparisons: O(log n)")
        assert grading.grade(search, "O(log2 n)").correct
        assert not grading.grade(search, "O(n log n)").correct
        assert not grading.grade(search, "O(n)").correct
        eight = card("3", question="What is log2(8)?")
        assert "numbers" in fired(eight, "log2(8) = 4")

    def test_a_sibling_in_the_terms_place_of_a_denied_statement(self) -> None:
        """'doesn't work well with sigmoid or tanh' for 'doesn't work well with ReLU': aimed at
        the accepted form but for the look-alike, which stands where ReLU stands."""
        xavier = card(
            "It doesn't work well for networks that use ReLU activation functions, as it can lead"
            " to neurons dying (always outputting 0).",
            "it does not work well with ReLU",
            question="What is the limitation of Xavier initialization?",
        )
        said = "it doesn't work well with sigmoid or tanh activations"
        assert grading.grade(xavier, said).outcome == "wrong"
        assert grading.grade(xavier, "it doesn't work well with relu activations").correct

    def test_bad_with_a_thing_is_a_negative_tone(self) -> None:
        xavier = card(
            "It doesn't work well with ReLU.",
            "it does not work well with ReLU",
            question="What is the limitation of Xavier initialization?",
        )
        assert "negation" not in grading.grade(xavier, "bad w/ ReLU").feedback
        assert "negation" in grading.grade(xavier, "it works well with ReLU").feedback

    def test_forgetting_to_do_a_thing_is_not_doing_it(self) -> None:
        leak = card(
            "A memory leak occurs when dynamically allocated memory is no longer needed or"
            " reachable but is never freed, so the program's memory use keeps growing.",
            question="What is a memory leak?",
        )
        said = "forgetting to free dynamically allocated memory, so the process uses more RAM"
        assert "negation" not in grading.grade(leak, said).feedback
        assert "negation" in grading.grade(leak, "dynamically allocated memory is freed").feedback

    def test_words_that_merely_look_alike_are_no_near_miss(self) -> None:
        unseen = card(
            "To perform well on new, unseen data.", question="Why do we want a model to generalize?"
        )
        assert fired(unseen, "so it does well on data it has never seen") == []

    def test_guesses_between_axis_lists(self) -> None:
        axes = card("N, H and W", "N, H and W", question="BatchNorm2D Axes")
        assert grading.grade(axes, "N H W or maybe C H W").outcome == "wrong"

    def test_an_elaboration_after_a_list_is_no_extra_item(self) -> None:
        axes = card(
            "Computes statistics over N (batch), H (height), and W (width) axes.\n"
            "Normalizes each channel C across the entire batch.",
            "batch, height and width",
            question="Over which axes does BatchNorm2D compute its statistics?",
        )
        said = "over the batch, height and width, so one mean/var per channel"
        assert "missing parts" not in fired(axes, said)
        assert grading.grade(axes, "batch, height, width or channel").outcome == "wrong"

    def test_one_labelled_line_of_two_is_half_the_answer(self) -> None:
        padding = card(
            "padding='valid': no padding, reducing the output size.\n"
            "padding='same': pads the input to keep the output size the same.",
            question="What is padding in CNNs?",
        )
        half = "same padding pads the input so the output size stays the same"
        assert "missing parts" in fired(padding, half)
        both = "valid = no padding so the output shrinks, same = pad the input so the size stays"
        assert "missing parts" not in fired(padding, both)
        assert "missing parts" not in fired(padding, "adding zeros around the input borders")

    def test_a_labelled_line_is_named_by_any_word_of_its_own_label(self) -> None:
        """'tuning the hyperparameters' names the line 'Hyperparameter optimization: ...'; a word
        two labels share ('pooling') names neither. What is left out is named as the deck wrote
        it, never as a word stem."""
        general = card(
            "Spatial dropout: prevents over-reliance on certain features.\n"
            "Hyperparameter optimization: adjusting learning rates, batch sizes, etc.",
            "spatial dropout and hyperparameter optimization",
            question="How to improve CNN generalization?",
        )
        assert "missing parts" not in fired(
            general, "spatial dropout and tuning the hyperparameters"
        )
        half = grading.grade(general, "spatial dropout")
        assert not half.correct
        assert half.feedback == "The card also asks about Hyperparameter optimization."
        pooling = card(
            "Max pooling: keeps the largest value of each window.\n"
            "Average pooling: takes the mean of each window.",
            question="What kinds of pooling are there?",
        )
        assert "missing parts" in fired(pooling, "max pooling keeps the largest value")

    def test_a_scope_after_a_list_is_no_extra_item(self) -> None:
        """'per sample and per channel' says over what the statistics are kept, as 'for' or
        'within' would; a bare 'C' beside the axes is one more axis."""
        axes = card(
            "Computes statistics over H (height) and W (width) axes.\n"
            "Normalizes within a single sample and single channel.",
            "H and W",
            "height and width",
            question="Over which axes does InstanceNorm compute its statistics?",
        )
        assert "missing parts" not in fired(axes, "height and width, per sample and per channel")
        assert "missing parts" not in fired(axes, "H and W, within each channel")
        assert "missing parts" in fired(axes, "H, W and C")

    def test_a_part_restated_in_the_answers_words_is_no_extra_item(self) -> None:
        visual = card(
            "- Locality: neighboring pixels are highly correlated\n"
            "- Translation invariance: meaningful patterns can appear anywhere\n"
            "- Compositionality: learning feature hierarchies",
            "locality, translation invariance and compositionality",
            question="What are some characteristics of visual data?",
        )
        said = "locality, translation invariance, and compositionality / hierarchy of features"
        assert "missing parts" not in fired(visual, said)
        assert "missing parts" in fired(
            visual, "locality, translation invariance, compositionality or pooling"
        )

    def test_the_same_where_the_card_compares(self) -> None:
        valid = card(
            "Normal convolution: every considered point lies within the input.\n"
            "The input is larger than the output.",
            "every kernel point lies inside the input and the output is smaller than the input",
            question="What is VALID convolution? How is the size ratio for input and output?",
        )
        said = "the kernel is centered at every input location so the input and output are the same size"
        assert "direction" in fired(valid, said)
        assert "direction" not in fired(
            valid, "only where the kernel fits, so the output is smaller than the input"
        )
        assert "direction" not in fired(
            valid, "the kernel stays inside the input; same kernel everywhere, output shrinks"
        )

    def test_a_formula_in_the_cards_words_keeps_its_operators(self) -> None:
        pooling = card(
            "input size / kernel size (non-overlapping pooling, where the stride equals the "
            "kernel size)",
            "input size / kernel size",
            "W / K",
            question="What is the formula for the output size of a pooling layer?",
        )
        assert "formula" in fired(pooling, "input size × kernel size")
        assert "formula" not in fired(pooling, "input size / kernel size")
        fc = card(
            "Input size × output size + output size",
            "(input size + 1) × output size",
            question="How many parameters does an FC layer have?",
        )
        assert "formula" in fired(fc, "input size × output size")
        assert "formula" not in fired(fc, "output size × (input size + 1)")

    def test_short_formula_forms(self) -> None:
        fc = card(
            "Input size × output size + output size",
            "(input size + 1) × output size",
            question="FC Layer Params",
        )
        assert grading.grade(fc, "(in + 1) * out").correct
        assert not grading.grade(fc, "(in + 1) * in").correct

    def test_a_subtraction_in_a_formula_is_no_word_and_no_sign(self) -> None:
        def numbers(text: str) -> list[str]:
            return [t.surface for t in tokenize(simplify(text)) if t.numeric]

        assert numbers("1 + L(K-1)") == numbers("1 + L(K − 1)") == ["1", "1"]
        assert numbers("n-1") == ["1"]
        assert numbers("x = -5") == ["-5"]

    def test_a_formula_before_a_comma_and_its_explanation(self) -> None:
        assert grading.grade(STACKED, "1 + L(K-1), so three 3x3 layers see a 7x7 region").correct
        assert not grading.grade(
            STACKED, "1 + L(K+1), so three 3x3 layers see a 7x7 region"
        ).correct

    def test_opposite_words_in_different_claims_are_no_guesses(self) -> None:
        batch_norm = card(
            "Prevents vanishing/exploding gradients.\nStabilizes training.\n"
            "Reduces sensitivity to weight initialization.",
            question="Why is Batch Normalization needed?",
        )
        stated = (
            "stops gradients from vanishing or exploding, makes training more stable and less "
            "dependent on how you init the weights"
        )
        assert not {"contrast term", "guess list"} & set(fired(batch_norm, stated))
        small = card(
            "They reduce parameters, improve efficiency, and achieve the same receptive field "
            "depth with stacked layers.",
            question="What are the benefits of small convolution filters (e.g., 3x3) over large ones?",
        )
        extra = (
            "fewer params, cheaper to compute, and stacking 3x3s covers the same area as a 5x5 or "
            "7x7 while adding more nonlinearities"
        )
        assert not {"contrast term", "guess list"} & set(fired(small, extra))
        assert "contrast term" in fired(small, "they reduce or increase the parameters")
        assert "contrast term" in fired(small, "more or fewer parameters")
        assert "contrast term" in fired(batch_norm, "reduces / increases sensitivity to init")

    def test_definitions_written_with_equals_signs_are_no_formula(self) -> None:
        padding = card(
            "padding='valid': no padding, reducing the output size.\n"
            "padding='same': pads the input to keep the output size the same.",
            question="What is padding in CNNs?",
        )
        defined = (
            "valid = no padding so the output shrinks, same = pad the input so the output keeps "
            "the same size"
        )
        assert "formula" not in fired(padding, defined)
        assert grading.grade(padding, defined).correct
        softmax = card(
            "L_i = −log( e^(s_y) / Σ_j e^(s_j) )",
            "-log(e^(s_y) / Σ_j e^(s_j))",
            question="What is the formula of the softmax (cross-entropy) loss L_i?",
        )
        assert "formula" in fired(softmax, "-log(Σ_j e^(s_j) / e^(s_y))")
        update = card("W = W - lr × grad", question="Gradient descent update rule?")
        assert "formula" in fired(update, "W = W + lr × grad")
        assert "formula" in fired(update, "new W = old W + learning rate x gradient")

    def test_a_formula_half_written_half_said(self) -> None:
        size = card(
            "(input size − kernel size + 2 × padding) / stride + 1\n"
            "With no padding: (input size − kernel size) / stride + 1.",
            "(input size - kernel size) / stride + 1",
            "(W - K + 2P) / S + 1",
            "(W - K) / S + 1",
            question="What is the formula for the size of a convolution's output feature map?",
        )
        said = "(input - kernel + 2*pad) divided by stride, plus one"
        assert "numbers" not in fired(size, said)
        assert grading.grade(size, said).correct
        assert not grading.grade(
            size, "(input - kernel + 2*pad) divided by stride, plus two"
        ).correct
        assert not grading.grade(size, "(input - kernel + 2*pad) times stride, plus one").correct

    def test_a_slash_between_operands_divides(self) -> None:
        size = card(
            "(input size − kernel size + 2 × padding) / stride + 1",
            "(W - K + 2P) / S + 1",
            question="What is the formula for the size of a convolution's output feature map?",
        )
        assert "guess list" not in fired(size, "out = floor((n + 2p - f)/s) + 1")
        assert "guess list" not in fired(size, "(W - K + 2P)/S + 1")
        init = card("Kaiming initialization", question="Best initialization for ReLU networks?")
        assert "guess list" in fired(init, "xavier/kaiming")

    def test_un_reverses_the_word_it_prefixes(self) -> None:
        transfer = card(
            "By freezing pre-trained convolutional layers and updating only the final layers, it "
            "reduces the parameters to train on small datasets.",
            "freeze the pretrained layers and train only the final layers",
            question="How does transfer learning reduce computation?",
        )
        for unfrozen in (
            "unfreeze every pretrained layer and fine tune the whole network",
            "unfreeze the pretrained layers and train only the final layers",
        ):
            verdict = grading.grade(transfer, unfrozen)
            assert not verdict.correct and "unfreeze" in verdict.feedback, unfrozen
        assert grading.grade(
            transfer, "freeze the pretrained layers, only train the last ones"
        ).correct
        general = card(
            "How well a model performs on new, unseen data.",
            question="What is generalization?",
        )
        assert "contrast term" not in fired(general, "how well it does on data it has not seen")
        full = card(
            "Points outside the input are undefined, so the input must be padded.",
            question="What is a potential issue with full convolution?",
        )
        assert "contrast term" not in fired(full, "values outside the input aren't defined so pad")

    def test_an_arrow_typed_as_dash_and_angle_is_an_arrow(self) -> None:
        assert simplify("three layers -> 7x7") == simplify("three layers → 7x7")
        assert simplify("glucose => energy") == simplify("glucose → energy")
        assert "formula" not in fired(STACKED, "three layers -> 7x7")
        assert "formula" in fired(STACKED, "1 + L(K+1) -> 7x7")

    def test_a_wrong_formula_after_its_explanation(self) -> None:
        assert not grading.grade(STACKED, "7x7 for three layers, in general 1 + L*(K+1)").correct
        assert not grading.grade(STACKED, "9x9 for three layers, in general 1 + L*(K+1)").correct

    def test_naming_enough_items_of_a_listed_answer_is_an_answer(self) -> None:
        challenges = card(
            "Challenges in deep learning include the need for massive labeled data, potential "
            "overfitting, high computational requirements, interpretability of complex models, "
            "vulnerability to adversarial attacks, and difficulty in tuning hyperparameters.",
            question="What are some challenges for deep learning?",
        )
        assert grading.grade(
            challenges, "lots of labeled data, overfitting and adversarial attacks"
        ).correct
        assert grading.grade(
            challenges, "needs lots of labeled data, is expensive to compute and hard to interpret"
        ).correct
        assert not grading.grade(challenges, "labeled data").correct
        assert not grading.grade(challenges, "labeled data and overfitting").correct
        assert not grading.grade(
            challenges, "it needs no labeled data, never overfits and has no adversarial attacks"
        ).correct


class TestAcronyms:
    STACK = card(
        "A last-in, first-out (LIFO) collection: elements are pushed onto and popped off the "
        "same end.",
        question="What is a stack?",
    )

    def test_an_acronym_is_defined_by_the_words_whose_initials_it_takes(self) -> None:
        assert acronyms.defined("A last-in, first-out (LIFO) collection") == {
            "lifo": "last in first out"
        }
        assert acronyms.defined("Convolutional neural networks (CNNs) are models") == {
            "cnn": "convolutional neural networks"
        }
        assert acronyms.defined("ReLU (rectified linear unit) is an activation") == {
            "relu": "rectified linear unit"
        }
        assert acronyms.defined("the Internet of Things (IoT) links devices") == {
            "iot": "internet of things"
        }
        assert acronyms.defined("the output of the layer (ReLU) is kept") == {}
        assert acronyms.defined("pooling (max or average) shrinks maps") == {}

    def test_an_acronym_after_the_clause_it_abbreviates(self) -> None:
        stack = card(
            "A linear data structure in which elements are added and removed at the same end, "
            "the top, so the last element inserted is the first one removed (LIFO).",
            question="What is a stack?",
        )
        assert acronyms.defined(stack.answer) == {
            "lifo": "last element inserted is the first one removed"
        }
        assert grading.grade(stack, "a LIFO data structure").correct
        assert not grading.grade(stack, "a FIFO data structure").correct
        assert acronyms.defined("the last layer, its output is reduced (LIFO)") == {}
        assert acronyms.defined("find the last item, it is fast or slow (LIFO)") == {}
        assert acronyms.defined("the data is trained by the model (MTD)") == {}

    def test_the_acronym_and_its_words_are_the_same_answer(self) -> None:
        said = grading.grade(self.STACK, "a LIFO data structure")
        spelled = grading.grade(self.STACK, "a last in first out data structure")
        assert said.outcome == spelled.outcome and said.score == spelled.score
        feedback = grading.grade(self.STACK, "last in first out: you push and pop at the top")
        assert "LIFO" not in feedback.feedback

    def test_the_acronym_a_question_asks_about_is_no_answer(self) -> None:
        cnn = card("Convolutional neural network (CNN)", question="What does CNN stand for?")
        assert not grading.grade(cnn, "CNN").correct
        assert grading.grade(cnn, "convolutional neural network").correct


class TestTrainFindings:
    """False accepts found in the public `train` answers (Beetle, SciEntsBank), each as the
    principle it broke."""

    def test_a_noun_phrase_joined_by_and_keeps_the_negation_in_view(self) -> None:
        gap = card(
            "the terminals are connected",
            "there is no gap between the terminals",
            question="What does a voltage reading of 0 tell you about the connection between a "
            "bulb terminal and a battery terminal?",
        )
        assert "negation" in fired(gap, "There is a gap between the bulb and the battery terminal.")
        assert "negation" not in fired(
            gap, "there is no gap between the bulb and the battery terminal"
        )
        apart = card(
            "Terminal 1 and the positive terminal are not connected",
            question="Explain why you got a voltage reading of 1.5 for terminal 1 and the "
            "positive terminal.",
        )
        assert "negation" in fired(apart, "Terminal 1 is connected to the positive terminal.")
        assert "negation" not in fired(apart, "terminal 1 is not connected to the positive one")
        heat = card("Black absorbs more heat than white.", question="Which box heats up faster?")
        assert "negation" not in fired(heat, "black absorbs heat and white does not absorb heat")
        paths = card("A and C are not in the same path", question="Why?")
        assert "negation" not in fired(paths, "bulbs A and C are not in the same path")
        assert "negation" in fired(paths, "bulbs A and C are in the same path")

    def test_a_clause_that_leaves_out_only_the_question_s_words_restates_it(self) -> None:
        gap = card(
            "the terminals are connected",
            "there is no gap between the terminals",
            question="What does a voltage reading of 0 tell you about the connection between a "
            "bulb terminal and a battery terminal?",
        )
        assert "negation" in fired(gap, "there is a gap.")
        assert "negation" not in fired(gap, "there is no gap")
        assert "negation" not in fired(gap, "there is no gap, so the bulb is damaged")

    def test_a_double_quote_inside_a_word_is_an_apostrophe(self) -> None:
        assert [t.surface for t in Response('bulb a doesn"t affect bulb c"s path').tokens] == [
            t.surface for t in Response("bulb a doesn't affect bulb c's path").tokens
        ]
        xavier = card("It doesn't work well with ReLU.", question="Limitation of Xavier init?")
        assert fired(xavier, 'it doesn"t work well with relu') == []
        assert Response('he said "no"').tokens[-1].surface == "no"

    def test_a_misspelt_word_still_restates_the_reference_clause(self) -> None:
        gap = card(
            "Terminals 1 and 2 are connected",
            "Terminals 1 and 2 are not separated by the gap",
            question="Why 0 V?",
        )
        assert "negation" in fired(gap, "terminals 1 and 2 are seperated by a gap")
        assert "negation" not in fired(gap, "terminals 1 and 2 are not seperated by a gap")

    def test_a_number_the_reference_names_counts_when_the_question_names_it_too(self) -> None:
        three = card(
            "Terminal 3 and the positive terminal are separated by the gap",
            question="Explain why you got a voltage reading of 1.5 for terminal 3 and the "
            "positive terminal.",
        )
        assert "numbers" in fired(three, "terminal 2 is separated from the positive terminal")
        assert "numbers" not in fired(three, "the gap separates terminal 3 from the positive one")
        assert "numbers" not in fired(three, "it reads 1.5 because of the gap at terminal 3")
        assert "numbers" not in fired(three, "the positive terminal is separated by a gap")
        # A count is no label: 'the two terminals' names no terminal 2.
        six = card(
            "Terminals 1 and 6 are not connected",
            question="Explain why you got a voltage reading of 1.5 for terminal 1 and terminal 6.",
        )
        assert "numbers" not in fired(six, "there is a gap between the two terminals")
        assert "numbers" in fired(six, "there is a gap between terminal 1 and terminal 5")

    def test_another_label_after_the_same_noun_is_a_contrast(self) -> None:
        switch = card("Switch Y and bulb A are not in the same closed path", question="Why?")
        assert "labels" in fired(switch, "Switch Z and bulb A are not in the same closed path")
        assert "labels" not in fired(switch, "switch y and bulb a are not in the same path")
        bulb = card("Bulb C was no longer in a closed path with the battery", question="Why?")
        assert "labels" in fired(bulb, "bulb A was no longer in a closed path with the battery")
        # An article is no label, and a label the reference names bare is its own.
        assert "labels" not in fired(bulb, "a closed path contains a bulb a battery")
        paths = card(
            "Bulbs A and C are still in closed paths", "B is not in their paths", question="Why?"
        )
        assert "labels" not in fired(paths, "bulb B is not in their path")
        assert "labels" not in fired(paths, "bulbs a and c are still in a closed path")
        assert "labels" in fired(paths, "bulbs a and d are still in a closed path")


class TestReviewFindings:
    """Answers a review of the formula, guess and 'un-' rules graded: each as a tutor would."""

    def test_the_cards_own_forms_with_their_numbers_stay_correct(self) -> None:
        three = card(
            "3 × (3 × 3 × C × C) = 27C²",
            "27C²",
            "3 × 3 × 3 × C × C",
            question="What is the parameter count of a stack of three 3×3 convs (C to C)?",
        )
        for said in ("27*C*C", "3x(3x3xCxC)=27C²"):
            assert grading.grade(three, said).correct, said
        energy = card("E = ½mv²", "1/2 m v^2", question="What is the formula for kinetic energy?")
        assert grading.grade(energy, "E = ½mv²").correct
        assert grading.grade(STACKED, "1 + L(K-1), so 5 layers see 11x11").correct

    def test_a_formula_after_a_denial_or_among_guesses_is_not_stated(self) -> None:
        for said in (
            "not 1 + L(K - 1)",
            "maybe 1 + L*(K+1) or maybe 1 + L*(K-1)",
            "L*K, hmm, 1 + L(K-1)",
        ):
            assert not grading.grade(STACKED, said).correct, said

    def test_words_before_a_unit_are_no_formula_of_the_card(self) -> None:
        force = card(
            "The newton (N), equal to 1 kg·m/s².",
            "newton",
            question="What is the SI unit of force?",
        )
        assert not grading.grade(force, "the joule, equal to 1 kg·m/s²").correct

    def test_a_hedge_set_off_by_commas_or_brackets_is_a_guess(self) -> None:
        small = card(
            "They reduce parameters, improve efficiency, and achieve the same receptive field "
            "depth with stacked layers.",
            question="What are the benefits of small convolution filters (e.g., 3x3) over large ones?",
        )
        for said in (
            "they reduce, or maybe increase, the number of parameters, improve efficiency and "
            "keep the same receptive field with stacked layers",
            "they reduce (or increase?) parameters, improve efficiency, and get the same "
            "receptive field depth with stacked layers",
        ):
            assert not grading.grade(small, said).correct, said

    def test_names_beside_a_slash_offer_alternatives(self) -> None:
        squash = card("Sigmoid", question="Which activation squashes values into (0, 1)?")
        assert not grading.grade(squash, "sigmoid (logistic)/tanh").correct
        alexnet = card(
            "AlexNet won ImageNet 2012.", "AlexNet", question="Which CNN won ImageNet 2012?"
        )
        assert grading.grade(alexnet, "vgg16/alexnet").outcome == "wrong"

    def test_one_in_a_hyphenated_word_is_no_number(self) -> None:
        assert simplify("no-one knows") == "no-one knows"
        assert simplify("a many-to-one rnn") == "a many-to-one rnn"
        owner = card(
            "Permission 600: only the owner can read and write the file.",
            "600",
            question="Which octal permission lets only the owner read and write a file?",
        )
        assert grading.grade(owner, "600, no-one else can touch it").correct

    def test_seen_in_other_words_than_unseen_is_no_reversal(self) -> None:
        general = card(
            "How well a model performs on new, unseen data.",
            question="What is generalization?",
        )
        said = "how well the model performs on data other than what it has seen in training"
        assert grading.grade(general, said).correct

    def test_a_wrong_number_beside_the_formula_after_words_is_wrong(self) -> None:
        for said in (
            "9x9 for three layers, in general 1 + L(K-1)",
            "three layers see 9x9, in general 1 + L(K-1)",
            "3x3 for three layers, in general 1 + L(K-1)",
            "7x7 for one layer, in general 1 + L(K-1)",
            "9x9 for three layers\nin general 1 + L(K-1)",
        ):
            assert not grading.grade(STACKED, said).correct, said

    def test_a_dash_before_one_is_punctuation(self) -> None:
        assert "1945 - 1" not in simplify("1945 - one year after d-day")
        three = card(
            "The same as a single 7×7 convolution layer.",
            "7×7",
            question="What is the effective receptive field of three 3×3 conv layers?",
        )
        assert grading.grade(three, "the same as a single 7x7 - one layer").correct
        small = card(
            "It uses fewer parameters than a single large kernel (like 7×7) and allows for more "
            "non-linear activation functions, making the network more powerful and efficient.",
            "fewer parameters and more non-linearities",
            question="Why stack small 3×3 convolutions?",
        )
        said = (
            "stacking small kernels is better over one large kernel: fewer parameters, more "
            "non-linear activations"
        )
        assert grading.grade(small, said).correct

    def test_a_number_named_to_be_refused_is_no_answer(self) -> None:
        three = card(
            "The same as a single 7×7 convolution layer.",
            "7×7",
            question="What is the effective receptive field of three 3×3 conv layers?",
        )
        for said in ("9x9, so 7x7 is wrong", "5x5 so 7x7 is too big"):
            assert not grading.grade(three, said).correct, said

    def test_a_wrong_extra_item_in_a_few_words_is_an_extra_item(self) -> None:
        mitosis = card(
            "Growth, repair and replacement of tissues, and asexual reproduction.",
            question="What is the purpose of mitosis?",
        )
        said = (
            "growth, repair, replacement of tissues, asexual reproduction and producing gametes "
            "for fertilisation"
        )
        assert not grading.grade(mitosis, said).correct

    def test_roles_of_a_contrast_with_descriptions_joined_by_and(self) -> None:
        lists = card(
            "In a singly linked list each node points only to the next node, whereas in a doubly "
            "linked list each node points to both the next and the previous node, so it can be "
            "traversed in both directions.",
            question=(
                "What is the difference between a singly linked list and a doubly linked list?"
            ),
        )
        right = (
            "a singly linked list is traversed forward in one direction, while a doubly linked "
            "list has pointers to the next and previous nodes"
        )
        assert "roles" not in fired(lists, right)

    def test_a_formula_denied_is_not_stated(self) -> None:
        newton = card(
            "The net force on an object equals its mass times its acceleration: F = m × a",
            "F = ma",
            question="What is Newton's second law of motion?",
        )
        relu = card("a = max(0, z)", "max(0, z)", question="What does ReLU compute?")
        assert grading.grade(newton, "F = ma").correct
        assert grading.grade(relu, "a = max(0, z)").correct
        for c, said in (
            (newton, "not F = ma"),
            (newton, "not F = m*a"),
            (relu, "not a = max(0, z)"),
        ):
            assert not grading.grade(c, said).correct, said


class TestAnswerFrames:
    """'it's ...', 'I think ...', '..., I think': how a member frames one answer, not part of it."""

    PH = card("7", "7", "seven", question="What is the pH of a neutral solution at 25 °C?")
    POOLING = card(
        "input size / kernel size",
        "input size / kernel size",
        "W / K",
        question="What is the formula for the output size of a pooling layer?",
    )

    def test_a_framed_answer_is_the_answer(self) -> None:
        for said in ("7, I think", "I think it's 7", "it is 7", "the answer is 7"):
            assert grading.grade(self.PH, said).correct, said
        for said in ("it is W / K", "I think it's input size / kernel size", "W / K, I think"):
            assert grading.grade(self.POOLING, said).correct, said

    def test_more_frames_of_one_answer(self) -> None:
        sums = card("4", "4", question="What is 2 + 2?")
        for said in ("the answer: 4", "4 of course", "4, of course", "the answer is 4 I think"):
            assert grading.grade(sums, said).correct, said
        assert not grading.grade(sums, "5 of course").correct

    def test_a_framed_wrong_answer_stays_wrong(self) -> None:
        for said in ("5, I think", "I think it's not 7", "it is 7 or 8"):
            assert not grading.grade(self.PH, said).correct, said
        assert not grading.grade(self.POOLING, "it is K / W").correct

    def test_not_before_the_answer_denies_it(self) -> None:
        purpose = card(
            "To prevent overfitting and improve generalization.",
            "to prevent overfitting",
            question="What is the purpose of regularization in deep learning?",
        )
        assert grading.grade(purpose, "to prevent overfitting").correct
        assert not grading.grade(purpose, "not to prevent overfitting").correct
        assert grading.grade(purpose, "not only to prevent overfitting but to generalize").correct
        axes = card(
            "N, H and W",
            "batch, height and width",
            question="Over which axes does BatchNorm2D compute its statistics?",
        )
        assert not grading.grade(axes, "not batch, height and width").correct
        xavier = card(
            "It doesn't work well for networks that use ReLU activation functions, as it can lead "
            "to neurons dying (always outputting 0).",
            "it does not work well with ReLU",
            question="What is the limitation of Xavier initialization?",
        )
        battery = card(
            "The battery in 2 is not in a closed path.",
            question="Why didn't the bulb in circuit 2 light?",
        )
        assert "negation" not in fired(battery, "not a closed path")
        assert "negation" not in fired(xavier, "it's not suited for ReLU networks")
        assert grading.grade(xavier, "it's not suited for ReLU networks").correct

    def test_only_the_end_of_a_long_answer_is_read_for_a_trailing_frame(self) -> None:
        spaced = "a" + " " * 997 + "I"
        assert unframed(spaced) == spaced
        assert unframed("x" * 900 + ", I think") == "x" * 900

    def test_not_one_thing_but_another_is_the_other(self) -> None:
        force = card("The newton (N).", "newton", question="What is the SI unit of force?")
        for said in ("not joule but newton", "not the joule, the newton"):
            assert grading.grade(force, said).correct, said
        kaiming = card(
            "Kaiming initialization\nBecause it is designed for ReLU.",
            "Kaiming initialization",
            question="Best initialization for ReLU-based networks",
        )
        assert grading.grade(kaiming, "not Xavier, Kaiming initialization").correct

    def test_not_restating_a_negative_answer_is_no_denial(self) -> None:
        xavier = card(
            "It doesn't work well for networks that use ReLU activation functions, as it can lead "
            "to neurons dying (always outputting 0).",
            "it does not work well with ReLU",
            question="What is the limitation of Xavier initialization?",
        )
        assert grading.grade(xavier, "not suited for ReLU").correct

    def test_a_frame_on_a_yes_no_card_stays(self) -> None:
        tomato = card("No, it is a fruit.", question="Is a tomato a vegetable?")
        assert grading.grade(tomato, "it is true that it is a fruit").correct

    def test_an_answer_that_opens_like_a_frame_is_the_answer(self) -> None:
        cogito = card("I think, therefore I am.", question="What did Descartes conclude?")
        assert grading.grade(cogito, "I think, therefore I am").correct

    def test_not_before_a_form_however_typed_denies_it(self) -> None:
        purpose = card(
            "To prevent overfitting and improve generalization.",
            "to prevent overfitting",
            question="What is the purpose of regularization in deep learning?",
        )
        for said in (
            "not to prevent overfitting?",
            "not, to prevent overfitting",
            "not\tto prevent overfitting",
            "Not to prevent overfitting, I think",
            "ｎｏｔ to prevent overfitting",
        ):
            assert not grading.grade(purpose, said).correct, said

    def test_the_tail_read_for_a_frame_starts_at_a_word(self) -> None:
        said = "to prevent overfitting. Hawaii think" + "?" * 33
        assert unframed(said) == said

    def test_not_before_a_form_that_opens_like_a_frame_or_with_a_sign(self) -> None:
        base = card(
            "It is the condition under which the function returns without making a recursive "
            "call, which stops the recursion and prevents infinite calls.",
            question="What is the purpose of a base case in a recursive function?",
        )
        assert not grading.grade(base, "not " + base.answer).correct
        zero = card(
            "-273.15 °C",
            "-273.15 °C",
            "-273 °C",
            question="What is absolute zero in degrees Celsius?",
        )
        for said in ("not, -273.15 °C", "not: -273 °C"):
            assert not grading.grade(zero, said).correct, said
