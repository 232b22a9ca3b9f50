// The Key Vault holding the webhook authId, as a raw resource so that checkov (and
// tests/unit/infra) see its settings: RBAC mode, soft delete with purge protection, every read
// recorded in the workspace.

param name string
param location string = resourceGroup().location
param tags object = {}

@secure()
@description('The authId the Management Activity API echoes as Webhook-AuthID.')
param webhookSecretValue string
param webhookSecretName string

@description('Resource id of the Log Analytics workspace that receives the audit log.')
param workspaceResourceId string

@allowed(['Enabled', 'Disabled'])
@description('Disabled with private networking: the app reaches the vault through a private endpoint.')
param publicNetworkAccess string = 'Enabled'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  // checkov:skip=CKV_AZURE_109: public by default: Key Vault references of a Flex app without a virtual network need it
  // checkov:skip=CKV_AZURE_189: same reason; publicNetworkAccess is a parameter for private networking
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enabledForDeployment: false
    enabledForTemplateDeployment: false
    enabledForDiskEncryption: false
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    // A deleted vault (and its secret) cannot be purged before the retention ends: `azd down --purge`
    // leaves the name taken for 7 days; a new environment gets a new name anyway.
    enablePurgeProtection: true
    publicNetworkAccess: publicNetworkAccess
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: publicNetworkAccess == 'Enabled' ? 'Allow' : 'Deny'
    }
  }
}

resource webhookSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  // checkov:skip=CKV_AZURE_41: rotated by hand (infra/README.md); an expiry would silently stop the O365 webhook
  parent: vault
  name: webhookSecretName
  properties: {
    value: webhookSecretValue
    contentType: 'Management Activity API webhook authId'
  }
}

resource audit 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit'
  scope: vault
  properties: {
    workspaceId: workspaceResourceId
    logs: [
      {
        categoryGroup: 'audit'
        enabled: true
      }
    ]
  }
}

output name string = vault.name
output uri string = vault.properties.vaultUri
