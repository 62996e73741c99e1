using './main.bicep'

// Self-hosted Redis/Valkey on Container Apps, token mode. No secrets and no digests in this file: they come from
// the environment of whoever deploys (infra/README.md, "Deploy"):
//   RYW_REDIS_IMAGE                 image pinned by digest, e.g. docker.io/valkey/valkey:8.1@sha256:<64 hex>
//   RYW_REDIS_APP_PASSWORD          created once (openssl rand -hex 32), then read back from Key Vault
//   RYW_REDIS_REPLICATION_PASSWORD  likewise
// build-params fails when one of them is unset, so does a deployment.
param namePrefix = 'rywsample'
param nameSeed = readEnvironmentVariable('RYW_NAME_SEED', 'v1')
param redisHosting = 'ContainerApps'
param rywMode = 'Token'
param redisImage = readEnvironmentVariable('RYW_REDIS_IMAGE')
param acrName = readEnvironmentVariable('RYW_ACR_NAME', '')
param redisAppPassword = readEnvironmentVariable('RYW_REDIS_APP_PASSWORD')
param redisReplicationPassword = readEnvironmentVariable('RYW_REDIS_REPLICATION_PASSWORD')
param redisReplicaCount = 1
param redisCpu = '0.5'
param redisMaxMemoryPolicy = 'noeviction'
param keyVaultCreateMode = readEnvironmentVariable('RYW_KEYVAULT_CREATE_MODE', 'default')
param dotnetVersion = '10.0'
param instanceMemoryMB = 2048
param maximumInstanceCount = 100
