/**
 * The slice of the untyped `smpp` 0.5.1 package this project touches: its PDU encoder and the
 * parameter schema it encodes from. Session, Server and the encoding filters are deliberately
 * not declared: they are unsafe for a gateway (see src/smpp/pdu.ts).
 */
declare module 'smpp' {
  export interface SmppFieldType {
    read(buffer: Buffer, offset: number, length?: number): unknown;
    write(value: unknown, buffer: Buffer, offset: number): void;
    size(value: unknown): number;
    readonly default: unknown;
  }

  export interface SmppParamDef {
    readonly type: SmppFieldType;
    readonly default?: unknown;
  }

  export interface SmppCommandDef {
    readonly id: number;
    readonly params?: Readonly<Record<string, SmppParamDef>>;
  }

  export interface SmppTlvDef {
    readonly id: number;
    readonly type: SmppFieldType;
    readonly multiple?: boolean;
  }

  export interface SmppPduInstance {
    command_length: number;
    toBuffer(): Buffer;
  }

  export interface SmppPduPrototype extends SmppPduInstance {
    _filter(direction: 'encode' | 'decode'): void;
  }

  export interface SmppPduConstructor {
    new (command: string, options?: Record<string, unknown>): SmppPduInstance;
    new (buffer: Buffer): SmppPduInstance;
    (this: SmppPduInstance, command: string, options?: Record<string, unknown>): void;
    readonly prototype: SmppPduPrototype;
    maxLength: number;
  }

  export interface SmppPackage {
    readonly PDU: SmppPduConstructor;
    readonly commands: Readonly<Record<string, SmppCommandDef>>;
    readonly tlvs: Readonly<Record<string, SmppTlvDef>>;
    readonly types: Readonly<{
      int8: SmppFieldType;
      int16: SmppFieldType;
      int32: SmppFieldType;
      string: SmppFieldType;
      cstring: SmppFieldType;
      buffer: SmppFieldType;
      dest_address_array: SmppFieldType;
      unsuccess_sme_array: SmppFieldType;
    }>;
  }

  const smpp: SmppPackage;
  export default smpp;
}
