/// The management API's OpenAPI 3 document, served at `/api/openapi.json`.
///
/// It lives here, in the repository, as the one copy; a test checks its paths and methods against
/// the routes the server registers.
enum OpenAPIDocument {
    static let json = #"""
{
  "openapi": "3.0.3",
  "info": {
    "title": "Quill management API",
    "version": "1",
    "description": "PostHog-compatible plugin and plugin-config API of Quill. Authenticate with 'Authorization: Bearer <personal API key>'. Another organization's resources answer 404. The key posthog.api gives a plugin only reads its own project: writes and organization routes answer 403 (permission_denied), other projects 404."
  },
  "servers": [
    {
      "url": "/"
    }
  ],
  "security": [
    {
      "personalAPIKey": []
    }
  ],
  "paths": {
    "/api/projects/{project_id}/events/": {
      "get": {
        "summary": "List stored events, newest first",
        "tags": [
          "events"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/project_id"
          },
          {
            "$ref": "#/components/parameters/event"
          },
          {
            "$ref": "#/components/parameters/distinct_id"
          },
          {
            "$ref": "#/components/parameters/after"
          },
          {
            "$ref": "#/components/parameters/before"
          },
          {
            "$ref": "#/components/parameters/limit"
          },
          {
            "$ref": "#/components/parameters/cursor"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/EventPage"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          }
        },
        "operationId": "get_api_projects_project_id_events"
      }
    },
    "/api/projects/{project_id}/ingestion_warnings/": {
      "get": {
        "summary": "What ingestion corrected in the project's events (an unreadable or impossible timestamp, …), by type, with counts per hour",
        "tags": [
          "ingestion"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/project_id"
          },
          {
            "name": "since",
            "in": "query",
            "required": false,
            "description": "ISO 8601 time; hours from this one on. Default: 7 days ago.",
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/IngestionWarnings"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          }
        },
        "operationId": "get_api_projects_project_id_ingestion_warnings"
      }
    },
    "/api/projects/{project_id}/quarantined_events/": {
      "get": {
        "summary": "Events the server died on twice while processing them, newest first",
        "tags": [
          "ingestion"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/project_id"
          },
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "description": "1 to 1000; default 100.",
            "schema": {
              "type": "integer",
              "minimum": 1,
              "maximum": 1000
            }
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "results": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/QuarantinedEvent"
                      }
                    }
                  }
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          }
        },
        "operationId": "get_api_projects_project_id_quarantined_events"
      }
    },
    "/api/projects/{project_id}/quarantined_events/{event_id}/replay/": {
      "post": {
        "summary": "Put a quarantined event back into the ingestion log, its crashes forgotten",
        "tags": [
          "ingestion"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/project_id"
          },
          {
            "name": "event_id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "integer"
            }
          }
        ],
        "responses": {
          "202": {
            "description": "Back in the ingestion log",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "status": {
                      "type": "string"
                    },
                    "uuid": {
                      "type": "string"
                    }
                  }
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          }
        },
        "operationId": "post_api_projects_project_id_quarantined_events_event_id_replay"
      }
    },
    "/api/projects/{project_id}/plugin_usage/": {
      "get": {
        "summary": "Time spent in the project's plugin code (plugin-seconds), in total, per config and per hour",
        "tags": [
          "plugins"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/project_id"
          },
          {
            "name": "since",
            "in": "query",
            "required": false,
            "description": "ISO 8601 time; hours from this one on. Default: 30 days ago.",
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/PluginUsage"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          }
        },
        "operationId": "get_api_projects_project_id_plugin_usage"
      }
    },
    "/api/organizations/{organization_id}/plugin_catalogue/": {
      "get": {
        "summary": "Known public plugins to install by URL: the catalogue shipped with Quill, extended or replaced by QUILL_PLUGIN_CATALOGUE",
        "tags": [
          "plugins"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/organization_id"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "results": {
                      "type": "array",
                      "items": {
                        "type": "object",
                        "properties": {
                          "name": {
                            "type": "string"
                          },
                          "url": {
                            "type": "string",
                            "description": "What POST /plugins/ installs from."
                          },
                          "kind": {
                            "type": "string",
                            "enum": [
                              "transformation",
                              "destination",
                              "source"
                            ]
                          },
                          "description": {
                            "type": "string"
                          },
                          "config": {
                            "type": "array",
                            "description": "A summary of the settings it asks for; the installed plugin.json is what counts.",
                            "items": {
                              "type": "object",
                              "properties": {
                                "key": {
                                  "type": "string"
                                },
                                "name": {
                                  "type": "string"
                                },
                                "required": {
                                  "type": "boolean"
                                },
                                "secret": {
                                  "type": "boolean"
                                }
                              }
                            }
                          }
                        }
                      }
                    }
                  }
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          }
        },
        "operationId": "get_api_organizations_organization_id_plugin_catalogue"
      }
    },
    "/api/projects/{project_id}/live_events/": {
      "get": {
        "summary": "The project's latest processed events (since the server started, up to 500), with the event as it entered the chain when it was kept. Asking starts recording the project's events for a minute.",
        "tags": [
          "events"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/project_id"
          },
          {
            "name": "after",
            "in": "query",
            "required": false,
            "description": "The 'cursor' of an earlier answer: only events processed since.",
            "schema": {
              "type": "integer"
            }
          },
          {
            "name": "event",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "distinct_id",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "description": "1 to 1000, default 50: the newest ones.",
            "schema": {
              "type": "integer"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "cursor": {
                      "type": "integer"
                    },
                    "results": {
                      "type": "array",
                      "description": "Oldest first.",
                      "items": {
                        "type": "object",
                        "properties": {
                          "sequence": {
                            "type": "integer"
                          },
                          "uuid": {
                            "type": "string"
                          },
                          "event": {
                            "type": "string"
                          },
                          "distinct_id": {
                            "type": "string"
                          },
                          "timestamp": {
                            "type": "string",
                            "nullable": true
                          },
                          "dropped_by": {
                            "type": "string",
                            "nullable": true,
                            "description": "The plugin that dropped the event, as 'name (config id)'."
                          },
                          "input": {
                            "type": "object",
                            "nullable": true,
                            "description": "The event as the chain got it; null when not kept (over 64 KiB, or logged before anyone watched)."
                          },
                          "output": {
                            "type": "object",
                            "nullable": true,
                            "description": "The event as stored; null when dropped."
                          }
                        }
                      }
                    }
                  }
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          }
        },
        "operationId": "get_api_projects_project_id_live_events"
      }
    },
    "/api/organizations/{organization_id}/plugins/": {
      "get": {
        "summary": "List the organization's plugins",
        "tags": [
          "plugins"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/organization_id"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "count": {
                      "type": "integer"
                    },
                    "next": {
                      "type": "string",
                      "nullable": true
                    },
                    "previous": {
                      "type": "string",
                      "nullable": true
                    },
                    "results": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/Plugin"
                      }
                    }
                  }
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          }
        },
        "operationId": "get_api_organizations_organization_id_plugins"
      },
      "post": {
        "summary": "Install a plugin from a URL, a local path, an archive or source",
        "tags": [
          "plugins"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/organization_id"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/PluginInstall"
              }
            },
            "multipart/form-data": {
              "schema": {
                "type": "object",
                "properties": {
                  "archive": {
                    "type": "string",
                    "format": "binary"
                  }
                }
              }
            }
          }
        },
        "responses": {
          "201": {
            "description": "Installed",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Plugin"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          }
        },
        "operationId": "post_api_organizations_organization_id_plugins"
      }
    },
    "/api/organizations/{organization_id}/plugins/{plugin_id}/": {
      "get": {
        "summary": "Show a plugin",
        "tags": [
          "plugins"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/organization_id"
          },
          {
            "$ref": "#/components/parameters/plugin_id"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Plugin"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          }
        },
        "operationId": "get_api_organizations_organization_id_plugins_plugin_id"
      },
      "delete": {
        "summary": "Delete a plugin and its configs",
        "tags": [
          "plugins"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/organization_id"
          },
          {
            "$ref": "#/components/parameters/plugin_id"
          }
        ],
        "responses": {
          "204": {
            "description": "Deleted"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          }
        },
        "operationId": "delete_api_organizations_organization_id_plugins_plugin_id"
      }
    },
    "/api/organizations/{organization_id}/plugins/{plugin_id}/source/": {
      "get": {
        "summary": "The plugin's text files",
        "tags": [
          "plugins"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/organization_id"
          },
          {
            "$ref": "#/components/parameters/plugin_id"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "additionalProperties": {
                    "type": "string"
                  }
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          }
        },
        "operationId": "get_api_organizations_organization_id_plugins_plugin_id_source"
      },
      "patch": {
        "summary": "Change the plugin's files (null removes one); configs reload",
        "tags": [
          "plugins"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/organization_id"
          },
          {
            "$ref": "#/components/parameters/plugin_id"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "additionalProperties": {
                  "type": "string",
                  "nullable": true
                }
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Plugin"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          }
        },
        "operationId": "patch_api_organizations_organization_id_plugins_plugin_id_source"
      }
    },
    "/api/organizations/{organization_id}/plugins/{plugin_id}/download/": {
      "get": {
        "summary": "The plugin's files as a .zip that installs again unchanged",
        "tags": [
          "plugins"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/organization_id"
          },
          {
            "$ref": "#/components/parameters/plugin_id"
          }
        ],
        "responses": {
          "200": {
            "description": "A .zip archive",
            "content": {
              "application/zip": {
                "schema": {
                  "type": "string",
                  "format": "binary"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          }
        },
        "operationId": "get_api_organizations_organization_id_plugins_plugin_id_download"
      }
    },
    "/api/organizations/{organization_id}/plugins/{plugin_id}/check_for_updates/": {
      "get": {
        "summary": "Look up the newest version of a plugin installed from a URL",
        "tags": [
          "plugins"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/organization_id"
          },
          {
            "$ref": "#/components/parameters/plugin_id"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "plugin": {
                      "$ref": "#/components/schemas/Plugin"
                    }
                  }
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          }
        },
        "operationId": "get_api_organizations_organization_id_plugins_plugin_id_check_for_updates"
      }
    },
    "/api/organizations/{organization_id}/plugins/{plugin_id}/upgrade/": {
      "post": {
        "summary": "Install the newest version; configs reload",
        "tags": [
          "plugins"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/organization_id"
          },
          {
            "$ref": "#/components/parameters/plugin_id"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Plugin"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          }
        },
        "operationId": "post_api_organizations_organization_id_plugins_plugin_id_upgrade"
      }
    },
    "/api/projects/{project_id}/plugin_configs/": {
      "get": {
        "summary": "List the project's plugin configs in chain order",
        "tags": [
          "plugins"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/project_id"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "count": {
                      "type": "integer"
                    },
                    "next": {
                      "type": "string",
                      "nullable": true
                    },
                    "previous": {
                      "type": "string",
                      "nullable": true
                    },
                    "results": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/PluginConfig"
                      }
                    }
                  }
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          }
        },
        "operationId": "get_api_projects_project_id_plugin_configs"
      },
      "post": {
        "summary": "Configure a plugin for the project",
        "tags": [
          "plugins"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/project_id"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/PluginConfigWrite"
              }
            },
            "multipart/form-data": {
              "schema": {
                "type": "object",
                "description": "Fields as in JSON (config as JSON text) plus files named add_attachment[KEY]."
              }
            }
          }
        },
        "responses": {
          "201": {
            "description": "Created",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/PluginConfig"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          }
        },
        "operationId": "post_api_projects_project_id_plugin_configs"
      }
    },
    "/api/projects/{project_id}/plugin_configs/rearrange/": {
      "patch": {
        "summary": "Set the chain order",
        "tags": [
          "plugins"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/project_id"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {
                  "orders": {
                    "type": "object",
                    "additionalProperties": {
                      "type": "integer"
                    }
                  }
                },
                "required": [
                  "orders"
                ]
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "count": {
                      "type": "integer"
                    },
                    "next": {
                      "type": "string",
                      "nullable": true
                    },
                    "previous": {
                      "type": "string",
                      "nullable": true
                    },
                    "results": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/PluginConfig"
                      }
                    }
                  }
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          }
        },
        "operationId": "patch_api_projects_project_id_plugin_configs_rearrange"
      }
    },
    "/api/projects/{project_id}/plugin_configs/{config_id}/": {
      "get": {
        "summary": "Show a plugin config",
        "tags": [
          "plugins"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/project_id"
          },
          {
            "$ref": "#/components/parameters/config_id"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/PluginConfig"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          }
        },
        "operationId": "get_api_projects_project_id_plugin_configs_config_id"
      },
      "patch": {
        "summary": "Enable, disable, reorder or reconfigure; takes effect at once",
        "tags": [
          "plugins"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/project_id"
          },
          {
            "$ref": "#/components/parameters/config_id"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/PluginConfigWrite"
              }
            },
            "multipart/form-data": {
              "schema": {
                "type": "object"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/PluginConfig"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          }
        },
        "operationId": "patch_api_projects_project_id_plugin_configs_config_id"
      },
      "delete": {
        "summary": "Remove a plugin config",
        "tags": [
          "plugins"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/project_id"
          },
          {
            "$ref": "#/components/parameters/config_id"
          }
        ],
        "responses": {
          "204": {
            "description": "Deleted"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          }
        },
        "operationId": "delete_api_projects_project_id_plugin_configs_config_id"
      }
    },
    "/api/projects/{project_id}/plugin_configs/{config_id}/attachments/{key}/": {
      "put": {
        "summary": "Upload an attachment (the body is the file)",
        "tags": [
          "plugins"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/project_id"
          },
          {
            "$ref": "#/components/parameters/config_id"
          },
          {
            "$ref": "#/components/parameters/key"
          },
          {
            "$ref": "#/components/parameters/file_name"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/octet-stream": {
              "schema": {
                "type": "string",
                "format": "binary"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/PluginConfig"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          }
        },
        "operationId": "put_api_projects_project_id_plugin_configs_config_id_attachments_key"
      },
      "delete": {
        "summary": "Remove an attachment",
        "tags": [
          "plugins"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/project_id"
          },
          {
            "$ref": "#/components/parameters/config_id"
          },
          {
            "$ref": "#/components/parameters/key"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/PluginConfig"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          }
        },
        "operationId": "delete_api_projects_project_id_plugin_configs_config_id_attachments_key"
      }
    },
    "/api/projects/{project_id}/plugin_configs/{config_id}/logs/": {
      "get": {
        "summary": "The config's log, newest first",
        "tags": [
          "plugins"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/project_id"
          },
          {
            "$ref": "#/components/parameters/config_id"
          },
          {
            "$ref": "#/components/parameters/log_type"
          },
          {
            "$ref": "#/components/parameters/log_source"
          },
          {
            "$ref": "#/components/parameters/search"
          },
          {
            "$ref": "#/components/parameters/after"
          },
          {
            "$ref": "#/components/parameters/before"
          },
          {
            "$ref": "#/components/parameters/limit"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "count": {
                      "type": "integer"
                    },
                    "next": {
                      "type": "string",
                      "nullable": true
                    },
                    "previous": {
                      "type": "string",
                      "nullable": true
                    },
                    "results": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/PluginLogEntry"
                      }
                    }
                  }
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          }
        },
        "operationId": "get_api_projects_project_id_plugin_configs_config_id_logs"
      }
    },
    "/api/projects/{project_id}/plugin_configs/{config_id}/jobs/": {
      "get": {
        "summary": "The plugin's public jobs",
        "tags": [
          "plugins"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/project_id"
          },
          {
            "$ref": "#/components/parameters/config_id"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "public_jobs": {
                      "type": "object"
                    }
                  }
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          }
        },
        "operationId": "get_api_projects_project_id_plugin_configs_config_id_jobs"
      },
      "post": {
        "summary": "Queue a run of a public job",
        "tags": [
          "plugins"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/project_id"
          },
          {
            "$ref": "#/components/parameters/config_id"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {
                  "type": {
                    "type": "string"
                  },
                  "payload": {
                    "type": "object"
                  }
                },
                "required": [
                  "type"
                ]
              }
            }
          }
        },
        "responses": {
          "202": {
            "description": "Queued",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          }
        },
        "operationId": "post_api_projects_project_id_plugin_configs_config_id_jobs"
      }
    },
    "/api/projects/{project_id}/plugin_configs/{config_id}/dead_letters/": {
      "get": {
        "summary": "Work that failed after its retries: deliveries, export batches, jobs",
        "tags": [
          "plugins"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/project_id"
          },
          {
            "$ref": "#/components/parameters/config_id"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "count": {
                      "type": "integer"
                    },
                    "next": {
                      "type": "string",
                      "nullable": true
                    },
                    "previous": {
                      "type": "string",
                      "nullable": true
                    },
                    "results": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/DeadLetter"
                      }
                    }
                  }
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          }
        },
        "operationId": "get_api_projects_project_id_plugin_configs_config_id_dead_letters"
      }
    },
    "/api/projects/{project_id}/plugin_configs/{config_id}/dead_letters/replay/": {
      "post": {
        "summary": "Replay the given dead letters (ids), or all of them",
        "tags": [
          "plugins"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/project_id"
          },
          {
            "$ref": "#/components/parameters/config_id"
          }
        ],
        "responses": {
          "200": {
            "description": "Replayed",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "replayed": {
                      "type": "integer"
                    }
                  }
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          }
        },
        "requestBody": {
          "required": false,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {
                  "ids": {
                    "type": "array",
                    "items": {
                      "type": "integer"
                    }
                  }
                }
              }
            }
          }
        },
        "operationId": "post_api_projects_project_id_plugin_configs_config_id_dead_letters_replay"
      }
    },
    "/api/projects/{project_id}/plugin_configs/{config_id}/dead_letters/{item_id}/replay/": {
      "post": {
        "summary": "Replay one dead letter",
        "tags": [
          "plugins"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/project_id"
          },
          {
            "$ref": "#/components/parameters/config_id"
          },
          {
            "$ref": "#/components/parameters/item_id"
          }
        ],
        "responses": {
          "200": {
            "description": "Replayed",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "replayed": {
                      "type": "integer"
                    }
                  }
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          }
        },
        "operationId": "post_api_projects_project_id_plugin_configs_config_id_dead_letters_item_id_replay"
      }
    },
    "/api/projects/{project_id}/plugin_configs/{config_id}/scheduled_runs/": {
      "get": {
        "summary": "Runs of the config's scheduled tasks, newest first",
        "tags": [
          "plugins"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/project_id"
          },
          {
            "$ref": "#/components/parameters/config_id"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "count": {
                      "type": "integer"
                    },
                    "next": {
                      "type": "string",
                      "nullable": true
                    },
                    "previous": {
                      "type": "string",
                      "nullable": true
                    },
                    "results": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/ScheduledRun"
                      }
                    }
                  }
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          }
        },
        "operationId": "get_api_projects_project_id_plugin_configs_config_id_scheduled_runs"
      }
    },
    "/api/users/@me/": {
      "get": {
        "summary": "The key's organization and its projects",
        "tags": [
          "users"
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "organization": {
                      "type": "object",
                      "properties": {
                        "id": {
                          "type": "integer"
                        }
                      }
                    },
                    "projects": {
                      "type": "array",
                      "items": {
                        "type": "object",
                        "properties": {
                          "id": {
                            "type": "integer"
                          },
                          "name": {
                            "type": "string"
                          },
                          "api_token": {
                            "type": "string"
                          }
                        }
                      }
                    }
                  }
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          }
        },
        "operationId": "get_api_users_me"
      }
    },
    "/api/projects/{project_id}/plugin_test_runs/": {
      "post": {
        "summary": "Run unsaved plugin code's processEvent on an event",
        "description": "Compiles the given files, checks the config against plugin.json, runs setupPlugin and processEvent once in a throwaway runtime (in-memory cache and storage, 10 s time limit). A failing plugin is a 200 with 'error' set; compile errors carry the file, line (1-based) and column (0-based).",
        "tags": [
          "plugins"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/project_id"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "required": [
                  "source",
                  "event"
                ],
                "properties": {
                  "source": {
                    "type": "object",
                    "additionalProperties": {
                      "type": "string"
                    },
                    "description": "File name to text: plugin.json and index.js or index.ts"
                  },
                  "config": {
                    "type": "object",
                    "additionalProperties": {}
                  },
                  "event": {
                    "type": "object"
                  }
                }
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "event": {
                      "type": "object",
                      "nullable": true,
                      "description": "The event processEvent returned; null when it dropped the event or failed"
                    },
                    "dropped": {
                      "type": "boolean"
                    },
                    "logs": {
                      "type": "array",
                      "items": {
                        "type": "object",
                        "properties": {
                          "type": {
                            "type": "string"
                          },
                          "source": {
                            "type": "string"
                          },
                          "message": {
                            "type": "string"
                          }
                        }
                      }
                    },
                    "error": {
                      "type": "object",
                      "nullable": true,
                      "properties": {
                        "stage": {
                          "type": "string",
                          "enum": [
                            "manifest",
                            "compile",
                            "config",
                            "setup",
                            "event",
                            "processEvent"
                          ]
                        },
                        "message": {
                          "type": "string"
                        },
                        "field": {
                          "type": "string",
                          "nullable": true
                        },
                        "file": {
                          "type": "string",
                          "nullable": true
                        },
                        "line": {
                          "type": "integer",
                          "nullable": true
                        },
                        "column": {
                          "type": "integer",
                          "nullable": true
                        }
                      }
                    }
                  }
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          }
        },
        "operationId": "post_api_projects_project_id_plugin_test_runs"
      }
    },
    "/api/projects/{project_id}/plugin_configs/{config_id}/events_per_minute/": {
      "get": {
        "summary": "Events succeeded and failed per minute, the last 30 minutes",
        "description": "Sampled from the config's counters every 2 seconds; oldest minute first, quiet minutes as zeros.",
        "tags": [
          "plugins"
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/project_id"
          },
          {
            "$ref": "#/components/parameters/config_id"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "results": {
                      "type": "array",
                      "items": {
                        "type": "object",
                        "properties": {
                          "minute": {
                            "type": "string",
                            "format": "date-time"
                          },
                          "succeeded": {
                            "type": "integer"
                          },
                          "failed": {
                            "type": "integer"
                          }
                        }
                      }
                    }
                  }
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          }
        },
        "operationId": "get_api_projects_project_id_plugin_configs_config_id_events_per_minute"
      }
    }
  },
  "components": {
    "securitySchemes": {
      "personalAPIKey": {
        "type": "http",
        "scheme": "bearer"
      }
    },
    "parameters": {
      "organization_id": {
        "name": "organization_id",
        "in": "path",
        "required": true,
        "schema": {
          "type": "string"
        },
        "description": "An organization id or @current."
      },
      "project_id": {
        "name": "project_id",
        "in": "path",
        "required": true,
        "schema": {
          "type": "string"
        },
        "description": "A project id or @current."
      },
      "plugin_id": {
        "name": "plugin_id",
        "in": "path",
        "required": true,
        "schema": {
          "type": "integer"
        }
      },
      "config_id": {
        "name": "config_id",
        "in": "path",
        "required": true,
        "schema": {
          "type": "integer"
        }
      },
      "key": {
        "name": "key",
        "in": "path",
        "required": true,
        "schema": {
          "type": "string"
        },
        "description": "The attachment field's key."
      },
      "file_name": {
        "name": "file_name",
        "in": "query",
        "required": false,
        "schema": {
          "type": "string"
        }
      },
      "event": {
        "name": "event",
        "in": "query",
        "required": false,
        "schema": {
          "type": "string"
        }
      },
      "distinct_id": {
        "name": "distinct_id",
        "in": "query",
        "required": false,
        "schema": {
          "type": "string"
        }
      },
      "after": {
        "name": "after",
        "in": "query",
        "required": false,
        "schema": {
          "type": "string",
          "format": "date-time"
        }
      },
      "before": {
        "name": "before",
        "in": "query",
        "required": false,
        "schema": {
          "type": "string",
          "format": "date-time"
        }
      },
      "limit": {
        "name": "limit",
        "in": "query",
        "required": false,
        "schema": {
          "type": "integer",
          "minimum": 1,
          "maximum": 1000,
          "default": 100
        }
      },
      "cursor": {
        "name": "cursor",
        "in": "query",
        "required": false,
        "schema": {
          "type": "string"
        },
        "description": "From the previous page's next URL."
      },
      "log_type": {
        "name": "type",
        "in": "query",
        "required": false,
        "schema": {
          "type": "string"
        },
        "description": "Comma list of DEBUG, LOG, INFO, WARN, ERROR."
      },
      "log_source": {
        "name": "source",
        "in": "query",
        "required": false,
        "schema": {
          "type": "string"
        },
        "description": "Comma list of SYSTEM, PLUGIN, CONSOLE."
      },
      "search": {
        "name": "search",
        "in": "query",
        "required": false,
        "schema": {
          "type": "string"
        }
      },
      "item_id": {
        "name": "item_id",
        "in": "path",
        "required": true,
        "schema": {
          "type": "integer"
        }
      }
    },
    "schemas": {
      "Error": {
        "type": "object",
        "properties": {
          "type": {
            "type": "string"
          },
          "code": {
            "type": "string"
          },
          "detail": {
            "type": "string"
          },
          "attr": {
            "type": "string",
            "nullable": true
          },
          "errors": {
            "type": "array",
            "items": {
              "type": "object",
              "properties": {
                "attr": {
                  "type": "string"
                },
                "detail": {
                  "type": "string"
                }
              }
            }
          }
        },
        "required": [
          "type",
          "code",
          "detail"
        ]
      },
      "Event": {
        "type": "object",
        "properties": {
          "id": {
            "type": "string",
            "format": "uuid"
          },
          "distinct_id": {
            "type": "string"
          },
          "properties": {
            "type": "object"
          },
          "event": {
            "type": "string"
          },
          "timestamp": {
            "type": "string",
            "format": "date-time"
          },
          "person": {
            "nullable": true
          },
          "elements": {
            "type": "array",
            "items": {}
          },
          "elements_chain": {
            "type": "string"
          }
        }
      },
      "EventPage": {
        "type": "object",
        "properties": {
          "results": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Event"
            }
          },
          "next": {
            "type": "string",
            "nullable": true
          }
        }
      },
      "PluginInstall": {
        "type": "object",
        "description": "One of: url (GitHub, GitLab or npm URL, an npm package name, or file:/path under a folder the operator lists in QUILL_PLUGIN_FOLDERS); source (file name to text, with plugin.json); archive (a .zip or .tar.gz in base64).",
        "properties": {
          "url": {
            "type": "string"
          },
          "plugin_type": {
            "type": "string"
          },
          "source": {
            "type": "object",
            "additionalProperties": {
              "type": "string"
            }
          },
          "archive": {
            "type": "string",
            "format": "byte"
          }
        }
      },
      "Plugin": {
        "type": "object",
        "properties": {
          "id": {
            "type": "integer"
          },
          "plugin_type": {
            "type": "string",
            "enum": [
              "local",
              "custom",
              "repository",
              "source"
            ]
          },
          "name": {
            "type": "string"
          },
          "description": {
            "type": "string",
            "nullable": true
          },
          "url": {
            "type": "string",
            "nullable": true
          },
          "tag": {
            "type": "string",
            "nullable": true
          },
          "latest_tag": {
            "type": "string",
            "nullable": true
          },
          "latest_tag_checked_at": {
            "type": "string",
            "nullable": true
          },
          "config_schema": {},
          "capabilities": {
            "type": "object",
            "properties": {
              "methods": {
                "type": "array",
                "items": {
                  "type": "string"
                }
              },
              "scheduled_tasks": {
                "type": "array",
                "items": {
                  "type": "string"
                }
              },
              "jobs": {
                "type": "array",
                "items": {
                  "type": "string"
                }
              }
            }
          },
          "public_jobs": {
            "type": "object"
          },
          "organization_id": {
            "type": "integer"
          },
          "is_global": {
            "type": "boolean"
          },
          "created_at": {
            "type": "string"
          },
          "updated_at": {
            "type": "string"
          }
        }
      },
      "PluginConfigWrite": {
        "type": "object",
        "properties": {
          "plugin": {
            "type": "integer"
          },
          "enabled": {
            "type": "boolean"
          },
          "order": {
            "type": "integer"
          },
          "config": {
            "type": "object",
            "description": "Values by key; null removes one; secret fields left out keep their values.",
            "additionalProperties": {
              "nullable": true
            }
          }
        }
      },
      "PluginConfig": {
        "type": "object",
        "properties": {
          "id": {
            "type": "integer"
          },
          "plugin": {
            "type": "integer"
          },
          "team_id": {
            "type": "integer"
          },
          "enabled": {
            "type": "boolean"
          },
          "order": {
            "type": "integer"
          },
          "config": {
            "type": "object",
            "description": "Values by key, secret fields left out.",
            "additionalProperties": {
              "type": "string"
            }
          },
          "secret_fields_set": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "attachments": {
            "type": "object",
            "additionalProperties": {
              "type": "object",
              "properties": {
                "content_type": {
                  "type": "string"
                },
                "file_name": {
                  "type": "string"
                },
                "size": {
                  "type": "integer"
                }
              }
            }
          },
          "error": {
            "nullable": true
          },
          "last_error": {
            "nullable": true
          },
          "plugin_info": {
            "$ref": "#/components/schemas/Plugin"
          },
          "created_at": {
            "type": "string"
          },
          "updated_at": {
            "type": "string"
          }
        }
      },
      "PluginLogEntry": {
        "type": "object",
        "properties": {
          "id": {
            "type": "string"
          },
          "team_id": {
            "type": "integer"
          },
          "plugin_id": {
            "type": "integer"
          },
          "plugin_config_id": {
            "type": "integer"
          },
          "timestamp": {
            "type": "string"
          },
          "source": {
            "type": "string",
            "enum": [
              "SYSTEM",
              "PLUGIN",
              "CONSOLE"
            ]
          },
          "type": {
            "type": "string",
            "enum": [
              "DEBUG",
              "LOG",
              "INFO",
              "WARN",
              "ERROR"
            ]
          },
          "message": {
            "type": "string"
          },
          "instance_id": {
            "type": "string"
          }
        }
      },
      "DeadLetter": {
        "type": "object",
        "properties": {
          "id": {
            "type": "integer"
          },
          "kind": {
            "type": "string",
            "enum": [
              "on_event",
              "on_snapshot",
              "export_batch",
              "job"
            ]
          },
          "attempts": {
            "type": "integer"
          },
          "error": {
            "type": "string",
            "nullable": true
          },
          "created_at": {
            "type": "string"
          },
          "failed_at": {
            "type": "string"
          },
          "payload": {}
        }
      },
      "IngestionWarnings": {
        "type": "object",
        "properties": {
          "since": {
            "type": "string"
          },
          "results": {
            "type": "array",
            "items": {
              "type": "object",
              "properties": {
                "type": {
                  "type": "string"
                },
                "count": {
                  "type": "integer"
                },
                "last_seen": {
                  "type": "string"
                },
                "last_details": {
                  "type": "object"
                },
                "by_hour": {
                  "type": "array",
                  "items": {
                    "type": "object",
                    "properties": {
                      "hour": {
                        "type": "string"
                      },
                      "count": {
                        "type": "integer"
                      }
                    }
                  }
                }
              }
            }
          }
        }
      },
      "QuarantinedEvent": {
        "type": "object",
        "properties": {
          "id": {
            "type": "integer"
          },
          "uuid": {
            "type": "string"
          },
          "distinct_id": {
            "type": "string"
          },
          "crashes": {
            "type": "integer"
          },
          "quarantined_at": {
            "type": "string"
          },
          "event": {
            "type": "object"
          }
        }
      },
      "PluginUsage": {
        "type": "object",
        "properties": {
          "project_id": {
            "type": "integer"
          },
          "since": {
            "type": "string"
          },
          "plugin_seconds": {
            "type": "number",
            "description": "Seconds spent inside the project's plugin functions, from call to settled promise."
          },
          "calls": {
            "type": "integer"
          },
          "by_config": {
            "type": "array",
            "items": {
              "type": "object",
              "properties": {
                "plugin_config_id": {
                  "type": "integer"
                },
                "plugin_seconds": {
                  "type": "number"
                },
                "calls": {
                  "type": "integer"
                }
              }
            }
          },
          "by_hour": {
            "type": "array",
            "items": {
              "type": "object",
              "properties": {
                "hour": {
                  "type": "string"
                },
                "plugin_seconds": {
                  "type": "number"
                },
                "calls": {
                  "type": "integer"
                }
              }
            }
          }
        }
      },
      "ScheduledRun": {
        "type": "object",
        "properties": {
          "task": {
            "type": "string",
            "enum": [
              "runEveryMinute",
              "runEveryHour",
              "runEveryDay"
            ]
          },
          "boundary": {
            "type": "string"
          },
          "started_at": {
            "type": "string"
          },
          "finished_at": {
            "type": "string",
            "nullable": true
          },
          "outcome": {
            "type": "string",
            "enum": [
              "running",
              "succeeded",
              "failed",
              "skipped"
            ]
          },
          "error": {
            "type": "string",
            "nullable": true
          }
        }
      }
    },
    "responses": {
      "BadRequest": {
        "description": "The request is malformed or names a bad value",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      },
      "Unauthorized": {
        "description": "No or an unknown personal API key",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      },
      "NotFound": {
        "description": "No such resource for this key",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      }
    }
  }
}
"""#
}
