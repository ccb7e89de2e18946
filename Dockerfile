# syntax=docker/dockerfile:1
# Images of distributed mode (compose.yaml): `--target api` (the HTTP service, enqueues jobs) and
# `--target indexer` (a worker: Hangfire server + health endpoint; also runs `migrate`).
# Both carry zoo-manifests/ (probe pool, demo zoo, trained alignment) under /srv/know2vec.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the project files only, so code changes keep the package layer cached.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY Core/Core.csproj Core/
COPY Storage/Storage.csproj Storage/
COPY Hosting/Hosting.csproj Hosting/
COPY Indexer/Indexer.csproj Indexer/
COPY Api/Api.csproj Api/
COPY zoo-manifests/manifest.schema.json zoo-manifests/
RUN dotnet restore Api/Api.csproj && dotnet restore Indexer/Indexer.csproj
COPY Core/ Core/
COPY Storage/ Storage/
COPY Hosting/ Hosting/
COPY Indexer/ Indexer/
COPY Api/ Api/
RUN dotnet publish Api/Api.csproj -c Release --no-restore -o /out/api \
 && dotnet publish Indexer/Indexer.csproj -c Release --no-restore -o /out/indexer

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
# curl for the health checks (the ASP.NET runtime image has none).
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
COPY zoo-manifests/ /srv/know2vec/zoo-manifests/
ENV Know2Vec__BaseDirectory=/srv/know2vec \
    Know2Vec__DataDirectory=/var/lib/know2vec \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
RUN mkdir -p /var/lib/know2vec /zoos && chown -R app:app /var/lib/know2vec /zoos
USER app

FROM runtime AS api
WORKDIR /app
COPY --from=build /out/api .
ENV ASPNETCORE_URLS=http://+:8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=5 CMD curl -fsS http://localhost:8080/health/ready || exit 1
ENTRYPOINT ["dotnet", "Know2Vec.Api.dll"]

FROM runtime AS indexer
WORKDIR /app
COPY --from=build /out/indexer .
ENV ASPNETCORE_URLS=http://+:8081
EXPOSE 8081
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=5 CMD curl -fsS http://localhost:8081/health/ready || exit 1
ENTRYPOINT ["dotnet", "Know2Vec.Indexer.dll"]
