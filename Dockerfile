# newsbrief's REST service: gunicorn serving service:create_app() on port 8000.
#
#   docker build -t newsbrief .                                   # default model baked in
#   docker build --build-arg MODEL_ID=google/flan-t5-small -t newsbrief .
#   docker run -p 8000:8000 newsbrief
#
# The model's weights are downloaded at build time, so the running container needs no
# network and starts with HF_HUB_OFFLINE=1.
#
# gunicorn must not face the internet directly: its threads wait for each client's whole
# request, so a few slow clients hold them all. Put a buffering reverse proxy in front (nginx
# with deploy/nginx.conf, as docker-compose.yml does) and publish only the proxy's port.

ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS build
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# CPU-only torch first: the default index's Linux wheel pulls several GB of CUDA libraries.
# pyproject's torch==2.13.0 is then already met by 2.13.0+cpu.
RUN pip install --no-cache-dir --index-url https://download.pytorch.org/whl/cpu torch==2.13.0
WORKDIR /src
COPY pyproject.toml README.md ./
COPY summarizer/ summarizer/
COPY service/ service/
COPY prompts/ prompts/
# The NLTK data (punkt_tab, stop words) ships inside the package: check that it is there.
RUN pip install --no-cache-dir . \
    && python -c "from summarizer.resources import sentence_tokenizer, stop_words; sentence_tokenizer(); stop_words()"

# Load the model once with the service's own loading code: that downloads exactly the files it
# needs into the cache, and the build fails here, not at run time, if the model cannot load.
# Loaded int8, it also writes the int8 weights' cache ($HF_HOME/newsbrief-int8): every process
# of the image then loads those without reading the fp32 weights (a lower peak, a faster start).
# The second load checks that the cache is there and that a process reads it.
ARG MODEL_ID=sshleifer/distilbart-cnn-12-6
ENV HF_HOME=/opt/hf
RUN python -c "import sys; from summarizer.generation.loading import Seq2SeqGenerator; from summarizer.settings import Settings; settings = Settings.load(); Seq2SeqGenerator(sys.argv[1], quantize=True, settings=settings); assert Seq2SeqGenerator(sys.argv[1], quantize=True, settings=settings).int8_from_cache, 'no int8 cache'" "$MODEL_ID"


FROM ${PYTHON_IMAGE}
ARG MODEL_ID=sshleifer/distilbart-cnn-12-6
RUN groupadd --system --gid 10001 newsbrief \
    && useradd --system --uid 10001 --gid 10001 --create-home --home-dir /var/lib/newsbrief newsbrief
COPY --from=build /opt/venv /opt/venv
COPY --from=build /opt/hf /opt/hf
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    HF_HOME=/opt/hf \
    HF_HUB_OFFLINE=1 \
    NEWSBRIEF_MODEL=$MODEL_ID \
    NEWSBRIEF_MODEL_LOADING=startup \
    NEWSBRIEF_INSTANCE_PATH=/var/lib/newsbrief \
    NEWSBRIEF_BIND=0.0.0.0:8000
USER 10001:10001
WORKDIR /var/lib/newsbrief
EXPOSE 8000
# Liveness only: /readyz would mark the container unhealthy while the model loads.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
ENTRYPOINT ["gunicorn", "--config", "python:service.gunicorn_conf"]
CMD ["service:create_app()"]
