"""Models of helpdesk, one module per concept: the loader imports every module of this
package in name order (an extension module must sort after the model it extends)."""
