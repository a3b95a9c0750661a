"""The curated, versioned taxonomy of machine-learning themes talks and papers are sorted into."""

from __future__ import annotations

from dataclasses import dataclass

# Bump when a theme is added, removed or its description changes (assignments may move).
# Ids are never reused for another subject: a retired theme's id stays retired.
TAXONOMY_VERSION = "2026.12-1"
OTHER = "theme:other"  # items close to no theme; shown as such, never a gap
OTHER_NAME = "Other (no theme)"


@dataclass(frozen=True)
class Theme:
    """One theme: a stable id, the name an organizer reads, what it covers, and keywords.

    ``description`` is embedded and compared with each item; ``keywords`` (lower case,
    matched as whole words or phrases) are extra evidence from the item's own words.
    """

    id: str
    name: str
    description: str
    keywords: tuple[str, ...] = ()


def _t(slug: str, name: str, description: str, keywords: str) -> Theme:
    return Theme(f"theme:{slug}", name, description,
                 tuple(k.strip() for k in keywords.split(",") if k.strip()))


THEMES: tuple[Theme, ...] = (
    _t("computer-vision", "Computer vision",
       "Image classification, object detection, segmentation, tracking, face recognition and "
       "visual search with convolutional networks and vision transformers.",
       "computer vision, image classification, object detection, segmentation, convnets, "
       "convolutional, face recognition, visual, video surveillance, tracking, image search"),
    _t("generative-media", "Generative images & video",
       "Generating and editing images and video: GANs, diffusion models, text-to-image, "
       "style transfer, deep fakes, neural rendering and radiance fields.",
       "generative adversarial, gan, gans, diffusion, image synthesis, image generation, "
       "stable diffusion, dall-e, text-to-image, video generation, radiance fields, nerf, "
       "style transfer, deep fakes, genai"),
    _t("nlp", "Natural language processing",
       "Understanding and processing text: word embeddings, sentiment, translation, "
       "conversational systems, document understanding and information extraction.",
       "natural language, nlp, word embedding, word embeddings, sentiment, translation, "
       "text classification, language understanding, conversational, documents"),
    _t("llm", "Large language models",
       "Large language models such as GPT and ChatGPT: pre-training, prompting, fine-tuning, "
       "reasoning, hallucinations, evaluating LLMs and building LLM applications.",
       "large language model, large language models, llm, llms, gpt, chatgpt, prompt, "
       "prompting, language model, language models, chatbot, mixture of experts"),
    _t("agents", "AI agents & tool use",
       "LLM-based agents: language models that plan, call tools and APIs and act in "
       "software environments; agentic workflows and multi-agent LLM systems.",
       "agentic, llm agents, ai agents, tool use, function calling"),  # not multi-agent RL
    _t("search-rag", "Search, retrieval & RAG",
       "Finding information: semantic and visual similarity search, retrieval, vector "
       "databases, question answering and retrieval-augmented generation.",
       "retrieval, rag, retrieval-augmented, similarity search, search engine, "
       "question answering, vector database, image search"),
    _t("speech", "Speech",
       "Spoken language: speech recognition, text-to-speech synthesis, voice and speaker "
       "modelling.",
       "speech, text-to-speech, speech recognition, speech synthesis, asr, voice, spoken, "
       "speak"),
    _t("music-audio", "Music & audio",
       "Music information retrieval, music generation, audio and sound analysis, singing "
       "voice, drum and beat transcription.",
       "music, audio, sound, singing, drum, drums, ismir, waveform, spectrogram"),
    _t("medical", "Medical imaging & health",
       "Medicine and health care: diagnosis from medical images, radiology, MRI, "
       "ophthalmology, biosignals and clinical applications.",
       "medical, clinical, radiology, diagnosis, health, patients, ophthalmology, biosignals, "
       "x-ray, mri, medicine, meduni, disease"),
    _t("science", "Science: biology, chemistry & physics",
       "Deep learning for the natural sciences: protein design, molecular data, chemistry, "
       "drug discovery, physics-informed networks.",
       "protein, proteins, molecular, molecules, chemistry, biology, biomedicine, physics, "
       "physics-informed, drug discovery"),
    _t("rl", "Reinforcement learning",
       "Agents learning from reward by interacting with an environment: deep reinforcement "
       "learning, policies, game playing, AlphaGo, control.",
       "reinforcement learning, reward, policy, games, game, alphago, alphazero, q-learning"),
    _t("robotics-driving", "Robotics & autonomous driving",
       "Robots, self-driving cars, automotive perception, driver monitoring and mobility.",
       "self-driving, autonomous driving, automotive, driver, robot, robots, robotics, "
       "vehicle, vehicles, mobility, cars"),
    _t("security-privacy", "Security & privacy",
       "Attacks on and defences of machine learning: adversarial examples, backdoors, model "
       "stealing, prompt injection, jailbreaking, differential privacy.",
       "adversarial, attack, attacks, backdoor, privacy, security, jailbreaking, "
       "prompt injection, stealing, differential privacy"),
    _t("mlops", "MLOps & deployment",
       "Putting models into production: deployment, serving, continuous integration, "
       "reproducible pipelines, cloud platforms and monitoring.",
       "production, deployment, deploying, serving, mlops, continuous integration, cloud, "
       "pipeline, pipelines, reproducible"),
    _t("frameworks", "Frameworks & tools",
       "Deep learning libraries and hands-on tutorials: TensorFlow, Keras, PyTorch, fastai, "
       "Theano, Caffe and the Microsoft Cognitive Toolkit.",
       "tensorflow, keras, pytorch, fastai, theano, lasagne, caffe, caffejs, cntk, "
       "cognitive toolkit, library, tutorial"),
    _t("hardware", "Hardware & efficient deep learning",
       "Compute for deep learning: GPUs, accelerators, distributed training, embedded and "
       "real-time inference, model compression and efficiency.",
       "gpu, gpus, hardware, tpu, accelerator, distributed, embedded, real-time, "
       "compression, quantization, efficient"),
    _t("time-series", "Time series & industrial data",
       "Sequential and sensor data: forecasting, predictive maintenance, failure prediction, "
       "anomaly detection in signals.",
       "time series, forecasting, predictive maintenance, sensor, sensors, anomaly detection, "
       "failure prediction"),
    _t("graphs", "Graphs",
       "Graph neural networks, message passing, learning on relational data and knowledge "
       "graphs.",
       "graph neural, graph, graphs, gnn, gnns, message passing, knowledge graph"),
    _t("optimisation", "Optimisation & AutoML",
       "How networks are trained and designed: optimisation, gradient descent, "
       "hyperparameters, neural architecture search and AutoML.",
       "optimization, optimisation, gradient descent, automl, architecture search, "
       "hyperparameter, hyperparameters"),
    _t("neuroscience", "Neuroscience & cognition",
       "The brain and biological learning: neuroscience, cognition, cognitive strategies and "
       "what deep learning can learn from biological neurons.",
       # Not "brain" or "cognitive" alone: "Google Brain", "Cognitive Toolkit".
       "neuroscience, the brain, human brain, brains, cognition, cognitive science, "
       "cognitive strategies, neural basis, biological neurons, neuronal"),
    _t("policy-ethics", "AI policy, ethics & society",
       "AI and society: regulation and the AI Act, AI strategy, policy, trust, ethics, bias "
       "and fairness, disinformation and fake news.",
       "policy, ai act, regulation, ethics, bias, fairness, trust, society, strategy, "
       "fake news, disinformation, misinformation, policymakers"),
    _t("explainability", "Explainability & uncertainty",
       "Understanding model decisions: explainable and interpretable AI, neural-symbolic "
       "methods, uncertainty quantification and robustness.",
       "explainable, explainability, interpretable, interpretability, uncertainty, xai, "
       "symbolic"),
    _t("recsys", "Recommender systems",
       "Recommendation and personalisation: recommender systems, e-commerce, fashion and "
       "user modelling.",
       "recommender, recommendation, recommendations, personalisation, personalization, "
       "recsys, fashion"),
    _t("representation", "Self-supervised & multimodal representations",
       "Learning representations without labels: self-supervised and contrastive learning, "
       "transfer learning, foundation models and multimodal embeddings such as CLIP.",
       "self-supervised, contrastive, transfer learning, representation learning, "
       "foundation models, clip, embeddings, multimodal"),
    _t("architectures", "Neural network fundamentals & architectures",
       "How neural networks work: introductions and courses, recurrent networks and LSTMs, "
       "convolutional networks, transformers and attention, mixture of experts.",
       "recurrent, lstm, rnn, rnns, transformer, transformers, attention, architecture, "
       "introduction, intro, mixture of experts, history"),
    _t("data", "Data: synthetic data & annotation",
       "The data behind models: synthetic data generation, tabular data, annotation and "
       "labelling tools, data quality.",
       "synthetic data, tabular, annotation, annotate, labelling, labeling, dataset, datasets"),
    _t("conference-reviews", "Conference reports & research trends",
       "Reports from research conferences such as NeurIPS, ICLR, ICML, ISMIR and RecSys: "
       "trends, highlights and interesting papers.",
       "neurips, nips, iclr, icml, cvpr, ismir, recsys2019, conference, review, trends, "
       "highlights"),
    _t("industry", "AI in business & industry",
       "Deep learning in companies and start-ups: business opportunities, industry 4.0, "
       "automation and products.",
       "business, businesses, industry, industrial, startup, startups, company, companies, "
       "automation, opportunity"),
)


def theme_by_id() -> dict[str, Theme]:
    """Theme id -> Theme, for every theme of the current taxonomy."""
    return {t.id: t for t in THEMES}


def check_taxonomy(themes: tuple[Theme, ...] = THEMES) -> None:
    """Raise ValueError naming the theme if an id repeats, is malformed or a field is empty."""
    seen: set[str] = set()
    for t in themes:
        if not t.id.startswith("theme:") or t.id == OTHER or t.id in seen:
            raise ValueError(f"theme id {t.id!r} is malformed, reserved or repeated")
        if not t.name or not t.description:
            raise ValueError(f"theme {t.id} needs a name and a description")
        seen.add(t.id)
