// Azure role assignments of the app's identity (and of the deployer on the webhook secret).
// Each is named guid(scope id, principal id, role id), so a redeployment finds it again.

param storageAccountName string
param keyVaultName string
param webhookSecretName string
param appInsightsName string

@description('Principal (object) id of the app\'s user-assigned identity.')
param identityPrincipalId string

@description('Principal id of whoever deploys; empty: no assignment.')
param deployerPrincipalId string = ''

var roles = {
  // Host storage: leases, timers, keys and the deployment package live in blobs.
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  // Covers what the queue trigger needs (read, process, delete), our sends and poison peeks, and the
  // host creating and writing <queue>-poison; Message Processor would add nothing to it.
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource webhookSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' existing = {
  parent: vault
  name: webhookSecretName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' existing = {
  parent: storage
  name: 'default'
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' existing = {
  parent: storage
  name: 'default'
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' existing = {
  parent: storage
  name: 'default'
}

// Each data role at its own service, not the account. Blobs: the host's leases, timers and the
// deployment package (the host creates its containers, so not narrower than the service).
resource blobAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(blobService.id, identityPrincipalId, roles.storageBlobDataOwner)
  scope: blobService
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataOwner)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// The remediation queue and its poison queue (the host writes <queue>-poison).
resource queueAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(queueService.id, identityPrincipalId, roles.storageQueueDataContributor)
  scope: queueService
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataContributor)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource tableAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(tableService.id, identityPrincipalId, roles.storageTableDataContributor)
  scope: tableService
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Scoped to the one secret, not the vault: the app can read nothing else there.
resource secretRead 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(webhookSecret.id, identityPrincipalId, roles.keyVaultSecretsUser)
  scope: webhookSecret
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// azd reads the secret back on every provision (so it never changes by accident), and the admin
// needs its value to subscribe the Management Activity API webhook.
resource secretManage 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  name: guid(webhookSecret.id, deployerPrincipalId, roles.keyVaultSecretsOfficer)
  scope: webhookSecret
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsOfficer)
    principalId: deployerPrincipalId
  }
}

resource telemetryPublish 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, identityPrincipalId, roles.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}
