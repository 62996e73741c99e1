using './main.bicep'

// No secrets here: the Redis password comes from the environment of whoever deploys.
//   export RYW_REDIS_PASSWORD="$(openssl rand -base64 32)"
param namePrefix = 'rywsample'
param redisReplicaCount = 1
param rywMode = 'Token'
param dotnetVersion = '10.0'
param instanceMemoryMB = 2048
param maximumInstanceCount = 100
param redisPassword = readEnvironmentVariable('RYW_REDIS_PASSWORD')
