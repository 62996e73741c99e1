using './main.bicep'

// OPTIONAL: Azure Managed Redis instead of self-hosted Redis. PrimaryOnly mode ONLY: every read goes to the
// primary endpoint, so there is no read offload and nothing for token mode to do (infra/README.md explains why
// token mode cannot work on Azure Managed Redis). No passwords to manage: the access key goes from the cache
// straight into Key Vault.
param namePrefix = 'rywamr'
param nameSeed = readEnvironmentVariable('RYW_NAME_SEED', 'v1')
param redisHosting = 'AzureManagedRedis'
param rywMode = 'PrimaryOnly'
param managedRedisSku = 'Balanced_B0'
param keyVaultCreateMode = readEnvironmentVariable('RYW_KEYVAULT_CREATE_MODE', 'default')
param dotnetVersion = '10.0'
param instanceMemoryMB = 2048
param maximumInstanceCount = 100
