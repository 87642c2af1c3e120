"""What each feedback item is: a request, a bug report, praise, a question, or other.

Two signals, added as logits and turned into probabilities by a softmax:

1. **Cue rules** (:func:`cue_scores`): regular expressions for the way customers write each kind.
   Requests: wishes and modals ("would be great if", "I wish", "please add", "bring back",
   "needs a", "why can't I ... please"). Bugs: breakage and regressions ("keeps crashing",
   "since the update", "doesn't load", "error", "please fix"). Questions: question marks and
   question forms ("how do I", "is there a way"). Praise: "love", "great", "thank you", with
   negations ("not great", "used to love") cancelled. A cue is scored per sentence; each kind
   keeps its strongest sentence, so "Love it, but please add dark mode" still reads as a request
   (request and bug cues weigh more than praise: what an item *asks for* wins).
2. **Prototype similarity**: the cosine similarity of the item's embedding to hand-written
   prototype sentences of each kind (``nlp/models/kinds/prototypes.json``, embedded once with
   the packaged MiniLM into ``prototypes.safetensors``); each kind scores the mean of its
   ``TOP_K`` (5) closest prototypes. It only applies to embeddings of the same model
   (``model_id``); without embeddings the classifier runs on cues alone.

``other`` has no cues: it wins when nothing else speaks (a small prior). Nothing here was
trained on a labelled data set; the weights below are set by hand.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

KINDS = ("request", "bug", "praise", "question", "other")
KIND_VERSION = "kinds2"  # bump when the cues, prototypes or weights change
PROTOTYPE_DIR = Path(__file__).parent / "models" / "kinds"
PROTOTYPE_MODEL_ID = "all-MiniLM-L6-v2@norm1"  # the embedder the shipped vectors come from
TOP_K = 5
CUE_WEIGHT = 1.6
PROTO_TEMPERATURE = 0.05  # cosine differences are small: scale them to logit units
PRIOR = np.array([0.0, 0.0, 0.0, 0.0, 0.9], dtype=np.float64)  # "other" wins on silence
CUE_CAP = 3.0
ACTIONABLE_OVER_PRAISE = 1.0


@dataclass(frozen=True)
class KindPrediction:
    """The kind of one item and the probability the classifier gives it (0..1)."""

    kind: str
    confidence: float


# --- cue rules ---------------------------------------------------------------------------

_NEG = r"(?:not|n't|never|no longer|hardly|barely|wouldn't|won't|don't|doesn't|didn't|isn't)"
_BREAK_VERBS = (
    r"(?:work|load|open|sync|respond|show|save|connect|send|play|start|update|launch|run|"
    r"display|download|upload|install|refresh|print|log ?in|sign ?in|login|let me|accept|"
    r"recogni[sz]e|charge|register|function|come up|appear|pair|scan|submit|stream)"
)
_WANT_VERBS = (
    r"(?:add|bring|make|allow|let|include|consider|give|provide|support|implement|introduce|"
    r"enable|offer|create|put|return|restore|change|improve|update the|integrate|expand|"
    r"increase|reduce|extend|remove the|get rid of)"
)

# fmt: off
_RULES: dict[str, tuple[tuple[str, float], ...]] = {
    "request": (
        (r"\bwould(?: be|'d be| really be)? (?:so |really |very |super |even )?"
         r"(?:great|nice|awesome|helpful|good|cool|amazing|useful|fantastic|lovely|ideal|"
         r"perfect|better|brilliant|handy|wonderful)\b,? ?(?:if|to|for|[.!]*$)", 1.6),
        (r"\b(?:it'd|it would|that'd|would) be (?:\w+ )?(?:nice|great|good|helpful)\b", 1.2),
        (r"\b(?:it|that|this) (?:would|could|might|'d) (?:really |also |greatly )?"
         r"(?:help|make (?:it|life|things)|save)\b", 1.2),
        (r"^(?:(?:or|also|and|then|so|just|maybe|perhaps) )?(?:please )?(?:add|give|make|let|allow|"
         r"bring|include|provide|offer|support|"
         r"enable|introduce|implement|integrate|show|put)\b(?! me (?:a )?(?:break|a call))", 1.3),
        (r"\b(?:really |badly |desperately |still |just )?needs? (?:a|an|more|some|better|"
         r"proper|real) \w+", 1.4),
        (r"\bwould (?:really |so |just )?love (?:to|it if|a|an|the|some|more|if|for|being)\b", 1.6),
        (r"\bi (?:really |just )?wish\b|\bwish (?:there|it|you|they|i could|we could)\b", 1.6),
        (r"\bif only\b", 1.2),
        (r"\b(?:i|we) (?:really |truly |sorely |do )?miss (?:a|an|the|being able|having|some)\b"
         r"|\b(?:only|one) thing (?:i'd|i would|i|we'd|we) (?:really )?(?:want|like|love|need|"
         r"ask for)\b|\b(?:i'd|we'd) (?:really |also )?(?:want|need|love)\b", 1.3),
        (r"\b(?:please|pls|plz)\W+(?:\w+\W+)?" + _WANT_VERBS + r"\b", 1.7),
        (r"\bbring (?:it |them |this |that )?back\b", 1.7),
        (r"\b(?:can|could|will|would) (?:you|they|u) (?:guys |please |pls )?(?:\w+ )?"
         + _WANT_VERBS + r"\b", 1.5),
        (r"\b(?:you|they|devs?|developers|it|this app|app) (?:should|need to|needs to|"
         r"ought to|must) (?:really |seriously |definitely |also )?"
         r"(?:add|have|be able|allow|let|include|offer|support|make|bring|give|consider|"
         r"implement|provide|fix the design|change)\b", 1.5),
        (r"\b(?:should|needs? to) (?:be able|have (?:a|an|the|more|some|option))\b", 1.4),
        (r"\b(?:needs?|wants?|missing|lacks?|lacking) (?:an? |the |more |some |better )?"
         r"(?:option|ability|way|feature|setting|button|mode|filter|support|integration|"
         r"version|choice|toggle|view)\b", 1.4),
        (r"\b(?:we|i) (?:really |badly |desperately |also )?(?:need|want) (?:an? |the |more |"
         r"some |to be able|the ability|the option|a way|better)\b", 1.2),
        (r"\b(?:i'd|i would|we'd|we would) (?:really |also )?(?:like|prefer|appreciate|"
         r"pay for|pay extra)\b(?! to (?:know|ask|understand|find out|check))", 1.4),
        (r"\b(?:once|if|when|as soon as) (?:you|they) (?:guys )?(?:add|bring|fix the design|"
         r"introduce|implement|support|offer|make it)\b", 1.5),
        (r"\b(?:the )?(?:option|ability|possibility|way) to\b", 0.7),
        (r"\b(?:support for|integration with|integrate with|compatib\w+ with)\b", 0.6),
        (r"\bfeature request\b|\bsuggestions?\b|\bsuggest(?:s|ed|ing)?\b|\bwishlist\b"
         r"|\brequest(?:ing)?\b", 1.2),
        (r"\bhop(?:e|ing|efully) (?:you|they|the devs?|it|that|for|to see|there)\b"
         r"|\bhopefully\b", 1.0),
        (r"\b(?:there is|there's|there are) no (?:way|option|setting|button|feature)\b", 1.2),
        (r"^no (?:native |proper |real |built-in |decent |official )?(?:\w+ )?(?:integration|"
         r"support|option|export|api|mode|app|version|sync|search|filter)\b", 1.2),
        (r"\bno (?:option|way|ability|setting) to\b", 1.2),
        (r"\b(?:doesn't|does not|don't|do not|can't|cannot) (?:even |yet |still )?"
         r"(?:have|support|offer|include|integrate)\b", 1.0),
        (r"\b(?:why|how come) (?:is there no|isn't there|are there no|can't (?:i|we|you)|"
         r"cannot (?:i|we)|doesn't it (?:have|let|allow|support)|don't you (?:have|offer|add))\b",
         1.0),
        (r"\bwhen (?:will|are) (?:you|they) (?:going to )?(?:add|bring|support|release|"
         r"introduce|make|offer)\b", 1.5),
        (r"\bany (?:plans|chance) (?:to|of|for|you)\b", 1.4),
        (r"\b(?:more|additional|extra|better) (?:options|customi[sz]ation|control|features|"
         r"filters|settings|themes|languages|payment)\b", 0.7),
        (r"\blet (?:us|me|users|people)\b(?! down| know)", 1.1),
        (r"\ballow (?:us|me|users|people|for)\b", 1.0),
        (r"\b(?:would|will) (?:give|rate|make it) (?:it )?(?:5|five|a)\b.*\bif\b", 1.4),
        (r"\b\w+ stars? if\b", 1.4),
        # how else people ask: "there should be a way", "exports should support ...",
        # "would be a godsend", "can we have ...", "what I'm asking for is", "... needed."
        (r"\bthere (?:should|needs? to|must|ought to|has to) (?:also |really |definitely )?be\b"
         r"|\bthere (?:needs|need) (?:a|an|to be|more|some)\b", 1.5),
        (r"\bshould (?:also |really |definitely |at least |just |ideally )?(?:support|have|"
         r"allow|let|include|provide|offer|remember|show|display|be able|be possible|"
         r"be available|be optional|be configurable|be customi[sz]able|be there|be added|"
         r"be allowed|be given|be enabled|be an option|come with|expose|warn)\b", 1.3),
        (r"\bwould (?:also |really |certainly |definitely |just )?be (?:a |an |such a |so )?"
         r"(?:\w+ )?(?:godsend|improvement|plus|bonus|game.?changer|life.?saver|big help|"
         r"welcome (?:addition|change|feature)|nice touch|great addition|must)\b", 1.5),
        (r"\bwould (?:also|really|certainly|definitely|even) be (?:\w+ )?(?:nice|great|good|"
         r"helpful|better|useful|handy|awesome|ideal|cool)\b", 1.2),
        (r"\b(?:can|could|may) (?:we|i|users) (?:please |just |also )?(?:have|get)\b"
         r"(?! (?:a refund|my money|help|an answer|a reply|someone)\b)", 1.4),
        (r"\b(?:i'm|i am|we're|we are|all i'm|all i am|what i'm|what i am|i was|we were) "
         r"(?:just |really |only )?asking (?:for|that|you to)\b", 1.4),
        (r"\bat least (?:support|add|allow|let|give|provide|show|offer|have|make)\b"
         r"|\b(?:could|can|should) (?:just|simply) (?:support|add|allow|let|provide|offer|"
         r"make|show)\b", 1.2),
        (r"\b(?:feature|option|button|setting|mode|support|filter|integration|shortcut|"
         r"buttons|options|settings) (?:is |are )?(?:badly |really |sorely |much )?"
         r"(?:needed|wanted|missing)\b", 1.3),
        (r"^(?:(?:or|also|and|then|so|just|maybe|perhaps) )?(?:please )?(?:create|extend|expand|"
         r"disable|keep|remove|change|improve|rename|relax|port|return|upgrade|"
         r"increase|reduce|consider|display|remember|expose|merge|detect|pin|use)\b"
         r"(?! (?:up|going|it up|crashing|freezing)\b)(?!\w*:)", 1.0),
        (r"\b(?:we|i) (?:really |badly |desperately |also |just |definitely )?(?:need|want)\b"
         r"(?! (?:to\b(?! be able)|help|a refund|my|you|someone|an answer|support|it\b))", 1.1),
        (r"^(?:a |the |there is a |there's a )?(?:real |big |urgent )?need (?:of|for)\b", 1.2),
        (r"\b(?:please )?bring (?:back|it back|them back)\b|\bbring (?:\w+ ){1,3}back\b", 1.7),
        (r"\b(?:it'd|it would|that'd|that would|would) (?:also |really |certainly )?be "
         r"(?:so |very |much |far |a lot |way |even |really )?(?:more )?(?:\w+ )?"
         r"(?:convenient|useful|natural|helpful|better|easier|nicer|simpler|intuitive|handy|"
         r"practical|gesture)\b", 1.2),
        (r"\bwould (?:really |also |greatly |definitely )?(?:save (?:me|us|users|time|a lot)|"
         r"help (?:me|us|users|a lot)|make (?:it|life|things|my|our) (?:\w+ )?(?:easier|simpler|"
         r"better|faster)|open up|improve)\b", 1.0),
        (r"\bshould (?:also |really |definitely |just )?be (?:\w+ly )?(?:included|visible|"
         r"editable|adjustable|selectable|shown|supported|added|turn(?:ed|able) (?:on|off)|"
         r"available|optional|possible|configurable|allowed)\b", 1.3),
        (r"\b(?:perhaps|maybe|ideally)\b.*\b(?:could|should|would)\b", 0.8),
        (r"\bplease\b(?!.*\b(?:fix|help|respond|reply|refund|resolve|contact)\b)", 0.5),
    ),
    "bug": (
        (r"\bcrash(?:es|ed|ing)?\b|\bfreez(?:e|es|ing)\b|\bfroze\b|\bforce clos", 1.8),
        (r"\bbug(?:s|gy|ged)?\b|\bglitch(?:es|y|ing)?\b", 1.5),
        (r"\bbroken\b|\bbreaks\b|\bbroke\b", 1.3),
        (r"\b(?:doesn't|does not|dont|don't|won't|will not|wont|can't|cannot|cant|couldn't|"
         r"isn't|is not|aren't|are not|not|never|stopped|stops|unable to|fails? to|failed to|"
         r"failing to|no longer)\s+(?:\w+\s+)?" + _BREAK_VERBS + r"(?:s|ed|ing)?\b", 1.4),
        (r"\bnot working\b|\bstopped working\b|\bdoesn't work\b|\bdoes not work\b", 1.6),
        (r"\berror\b|\berrors\b|\bfailed\b|\bfailure\b|\bexception\b", 1.1),
        (r"\bke+ps? (?:on )?(?:crashing|freezing|closing|logging|asking|saying|showing|kicking|"
         r"restarting|telling|loading|buffering|failing|resetting|deleting|disconnecting|"
         r"dropping|signing|popping|spinning|glitching|lagging|charging|sending)\b", 1.6),
        (r"\b(?:since|after) (?:the |this |that |your |my |its |a )?(?:latest |last |new |"
         r"recent |most recent |newest )?(?:update|upgrade|version|release|redesign|patch)\b"
         r"|\bafter updating\b|\bsince updating\b", 1.2),
        (r"\b(?:black|blank|white|grey|gray) screen\b|\bstuck (?:on|at|in|loading)\b", 1.5),
        (r"\bunresponsive\b|\blag(?:gy|s|ging)?\b|\bhangs\b|\btim(?:es?|ed|ing) out\b", 1.1),
        (r"\b(?:logs?|logged|kicks?|kicked|signs?|signed) me out\b", 1.4),
        (r"\bplease (?:look into|check) (?:it|this|that)\b", 0.8),
        (r"\b(?:please|pls|plz) fix\b|\bfix (?:this|it|the|that|your)\b"
         r"|\bneeds? (?:a )?fix(?:ing)?\b", 1.8),
        (r"\b(?:lost|deleted|erased|wiped|disappeared|vanished|gone missing)\b", 0.8),
        (r"\bwrong\b|\bincorrect(?:ly)?\b|\binaccurate\b", 0.7),
        (r"\b(?:issue|problem|trouble)s? (?:with|when|since|after|logging|connecting)\b", 0.9),
        (r"\b(?:randomly|every time i|each time i|whenever i)\b", 0.6),
        (r"\b(?:charged twice|double charged|never (?:arrived|arrives|received|came))\b", 1.0),
        (r"\b(?:won't|wont|will not|doesn't|does not) let me\b", 1.4),
        (r"\bnothing happens\b|\bdoes nothing\b|\bunusable\b", 1.3),
        (r"\b(?:garbled|corrupt(?:ed|s)?|scrambled|mangled|messed up|duplicated|truncated|"
         r"cut off|out of sync)\b", 1.2),
        (r"\b(?:since|after|with) (?:the )?(?:version |v|release |build )?\d+(?:\.\d+)+\b"
         r"|\bstarted (?:after|when|with|since|happening|yesterday|last)\b", 1.2),
        (r"\bspinner\b|\bspins forever\b|\b(?:loads?|loading|takes?|waits?) forever\b|"
         r"\bhave to (?:refresh|restart|reinstall|reload|log in again)\b", 1.1),
        (r"\b(?:so|too|very|really|extremely|super|painfully) slow\b|\btakes? forever\b|"
         r"\bdrains? (?:my |the )?battery\b|\bbattery drain\b|\bslow(?:s|ed)? down\b", 0.9),
        (r"\b(?:something went wrong|went wrong|404|500|not found)\b", 1.2),
    ),
    "question": (
        (r"\?\s*$", 1.2),
        (r"\?", 0.5),
        (r"^(?:how (?:do|can|could|does|would|should|to|long|much|many|often)|"
         r"is (?:there|it|this|my)|are (?:there|you|my)|can (?:i|we|someone|anyone)|"
         r"could (?:i|we|someone|anyone)|do (?:i|you|we)|does (?:it|this|anyone|the)|"
         r"where (?:do|can|is|are)|what (?:is|are|does|happens|do|should)|which|"
         r"when (?:do|does|is|will my|can)|who (?:do|can|is)|should i|will (?:i|my|it))\b",
         1.0),
        (r"\b(?:i'd|i would|i want|i'd love|we'd|we would) (?:like )?to (?:know|ask|understand|"
         r"find out)\b", 1.4),
        (r"\b(?:wondering|i wonder|not sure (?:how|if|whether|what)|any idea|anyone know|"
         r"does anyone|can someone|could someone|can anyone|help me understand|"
         r"is there (?:a|any) way|is it possible|how do i|how can i|how to)\b", 1.2),
    ),
    "praise": (
        (r"\b(?:love|loved|loving|adore)\b", 1.1),
        (r"\b(?:great|excellent|amazing|awesome|fantastic|wonderful|brilliant|superb|"
         r"outstanding|perfect|terrific|phenomenal|incredible|stellar|fabulous|exceptional|"
         r"impressive|delightful)\b", 0.9),
        (r"\b(?:thank(?:s| you)|thx|kudos|well done|good job|great job|keep up|bravo)\b", 1.0),
        (r"\b(?:best|favou?rite|recommend(?:ed)?|must have|must-have|lifesaver|life saver|"
         r"game changer|worth (?:it|every))\b", 1.0),
        (r"\b(?:easy to use|user friendly|user-friendly|intuitive|works (?:great|well|"
         r"perfectly|fine|like a charm|flawlessly)|so helpful|very helpful|really helpful|"
         r"helpful|friendly|smooth|reliable|fast|quick|efficient|convenient|nice|good|"
         r"happy|pleased|satisfied|enjoy)\b", 0.6),
        (r"\b(?:5|five) stars?\b|\b10/10\b|\bA\+", 1.0),
    ),
}
# fmt: on
_COMPILED = {
    kind: tuple((re.compile(pattern, re.IGNORECASE), weight) for pattern, weight in rules)
    for kind, rules in _RULES.items()
}
_PRAISE_NEGATED = re.compile(
    _NEG + r"\s+(?:\w+\s+){0,2}?(?:love|great|good|recommend|happy|helpful|nice|easy|best|"
    r"satisfied|pleased|impressed|worth|perfect|fast|reliable)|\bused to (?:love|be (?:great|"
    r"good|the best))|\bwas (?:great|good|the best) (?:until|before)|\bno longer\b",
    re.IGNORECASE,
)
_REQUEST_VERB_QUESTION = re.compile(
    r"^(?:can|could|will|would) (?:you|they|u)\b|^(?:why|how come|when will)\b|"
    r"\bany (?:chance|plans)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+|(?<=\w)\s*[;:]\s+|\s+(?:but|however|although)\s+")


def _sentences(text: str) -> list[str]:
    parts = [p.strip(" \t-*\"'") for p in _SENTENCE_END.split(text.strip())]
    return [p for p in parts if p] or [text.strip()]


def _sentence_cues(sentence: str) -> npt.NDArray[np.float64]:
    out = np.zeros(len(KINDS), dtype=np.float64)
    lowered = sentence.lower().replace("\u2019", "'")
    for index, kind in enumerate(KINDS[:4]):
        total = 0.0
        for pattern, weight in _COMPILED[kind]:
            if pattern.search(lowered):
                total += weight
        out[index] = total
    praise, question = KINDS.index("praise"), KINDS.index("question")
    if _PRAISE_NEGATED.search(lowered):
        out[praise] = -1.5  # "would not recommend", "used to love it": the opposite of praise
    carries = out[KINDS.index("request")] or out[KINDS.index("bug")]
    if out[question] and carries and _REQUEST_VERB_QUESTION.search(lowered):
        # "can you add ...?", "why can't I ...?": the request or bug it carries is the point
        out[question] *= 0.4
    return out


_ALL_RULES = tuple((kind, pattern) for kind in KINDS[:4] for pattern, _ in _COMPILED[kind])


def cue_features(texts: Sequence[str]) -> npt.NDArray[np.float64]:
    """(n, number of rules) 1.0 where some sentence of the item matches the rule, else 0.0."""
    out = np.zeros((len(texts), len(_ALL_RULES)), dtype=np.float64)
    for row, text in enumerate(texts):
        for sentence in _sentences(text or ""):
            lowered = sentence.lower().replace("\u2019", "'")
            for column, (_, pattern) in enumerate(_ALL_RULES):
                if not out[row, column] and pattern.search(lowered):
                    out[row, column] = 1.0
    return out


def cue_scores(texts: Sequence[str]) -> npt.NDArray[np.float64]:
    """(n, len(KINDS)) cue strength per kind: the strongest sentence of each item, capped."""
    out = np.zeros((len(texts), len(KINDS)), dtype=np.float64)
    for row, text in enumerate(texts):
        if not text or not text.strip():
            continue
        sentences = _sentences(text)
        per = np.stack([_sentence_cues(s) for s in sentences])
        best = per.max(axis=0)
        praise = per[:, KINDS.index("praise")]
        if best[KINDS.index("praise")] <= 0 and praise.min() < 0:
            best[KINDS.index("praise")] = praise.min()  # only negated praise: counts against
        actionable = max(best[KINDS.index("request")], best[KINDS.index("bug")])
        if actionable >= 1.0:
            # "love it, but please add ...": what the item asks for is the point, not the praise
            best[KINDS.index("praise")] -= ACTIONABLE_OVER_PRAISE
        if actionable >= 1.2:
            # "it keeps crashing. what is going on?": the question is rhetorical
            best[KINDS.index("question")] *= 0.5
        out[row] = np.minimum(best, CUE_CAP)
    return out


# --- prototypes -----------------------------------------------------------------------------


def prototype_sentences() -> dict[str, list[str]]:
    """The shipped prototype sentences of each kind (``other`` included)."""
    data = json.loads((PROTOTYPE_DIR / "prototypes.json").read_text(encoding="utf-8"))
    return {kind: list(data[kind]) for kind in KINDS}


def prototype_digest(sentences: dict[str, list[str]]) -> str:
    """A digest of the prototype sentences (the shipped vectors record the one they embed)."""
    payload = json.dumps([sentences[k] for k in KINDS], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class KindClassifier:
    """Cue rules plus prototype similarity; build once (:func:`load_kind_classifier`)."""

    def __init__(
        self,
        prototypes: dict[str, npt.NDArray[np.float32]] | None,
        *,
        model_id: str | None = PROTOTYPE_MODEL_ID,
    ) -> None:
        """``prototypes``: unit vectors per kind (None: cues only); ``model_id``: their model."""
        self.model_id = model_id
        self.version = KIND_VERSION
        self._prototypes = prototypes

    @property
    def has_prototypes(self) -> bool:
        """Whether embeddings of ``model_id`` add the prototype signal."""
        return self._prototypes is not None

    def _prototype_logits(self, embeddings: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
        assert self._prototypes is not None
        vectors = np.asarray(embeddings, dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        vectors = vectors / norms
        sims = np.zeros((len(vectors), len(KINDS)), dtype=np.float64)
        for index, kind in enumerate(KINDS):
            matrix = self._prototypes[kind]
            cos = vectors @ matrix.T
            k = min(TOP_K, cos.shape[1])
            top = np.partition(cos, cos.shape[1] - k, axis=1)[:, -k:]
            sims[:, index] = top.mean(axis=1)
        centred = sims - sims.mean(axis=1, keepdims=True)
        out: npt.NDArray[np.float64] = centred / PROTO_TEMPERATURE
        return out

    def probabilities(
        self, texts: Sequence[str], embeddings: npt.NDArray[np.float32] | None = None
    ) -> npt.NDArray[np.float64]:
        """(n, len(KINDS)) probabilities, rows summing to one, columns in ``KINDS`` order."""
        if embeddings is not None and len(embeddings) != len(texts):
            raise ValueError(
                f"embeddings: {len(embeddings)} rows for {len(texts)} texts (one row per text)"
            )
        cues = cue_scores(texts)
        logits = CUE_WEIGHT * cues + PRIOR
        if embeddings is not None and self._prototypes is not None and len(texts):
            proto = self._prototype_logits(embeddings)
            # embeddings barely see negation: "would not recommend" sits next to "would
            # recommend"; where the cues read negated praise, its prototypes add nothing
            praise = KINDS.index("praise")
            negated = cues[:, praise] < 0
            proto[negated, praise] = np.minimum(proto[negated, praise], 0.0)
            logits = logits + proto
        logits -= logits.max(axis=1, keepdims=True)
        weights = np.exp(logits)
        probs: npt.NDArray[np.float64] = weights / weights.sum(axis=1, keepdims=True)
        return probs

    def predict(
        self, texts: Sequence[str], embeddings: npt.NDArray[np.float32] | None = None
    ) -> list[KindPrediction]:
        """One prediction per text; empty text is ``other``."""
        probs = self.probabilities(texts, embeddings)
        out: list[KindPrediction] = []
        for text, row in zip(texts, probs, strict=True):
            if not text or not text.strip():
                out.append(KindPrediction("other", 1.0))
                continue
            best = int(np.argmax(row))
            out.append(KindPrediction(KINDS[best], round(float(row[best]), 4)))
        return out


def load_prototype_vectors() -> dict[str, npt.NDArray[np.float32]] | None:
    """The shipped prototype vectors, or None when missing or stale (sentences changed)."""
    from safetensors.numpy import load_file

    path = PROTOTYPE_DIR / "prototypes.safetensors"
    if not path.exists():
        return None
    from safetensors import safe_open

    with safe_open(str(path), framework="numpy") as handle:
        meta = handle.metadata() or {}
    if meta.get("digest") != prototype_digest(prototype_sentences()):
        return None
    tensors = load_file(str(path))
    return {kind: tensors[kind].astype(np.float32) for kind in KINDS}


_lock = threading.Lock()


@cache
def _default() -> KindClassifier:
    return KindClassifier(load_prototype_vectors())


def load_kind_classifier() -> KindClassifier:
    """The shipped classifier (prototype vectors read once per process)."""
    with _lock:
        return _default()


def classify_kinds(
    texts: Sequence[str], embeddings: npt.NDArray[np.float32] | None = None
) -> list[KindPrediction]:
    """Kind and confidence of each text; ``embeddings`` (same order, MiniLM) add prototypes."""
    return load_kind_classifier().predict(texts, embeddings)
