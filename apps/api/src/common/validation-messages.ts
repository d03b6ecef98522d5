/**
 * Spanish texts for class-validator's constraints, so field problems speak the users' language
 * like every other error. The English message is kept when a constraint has no translation
 * (custom messages in the DTOs are already written for people).
 */
const byConstraint: Record<string, (english: string) => string> = {
  whitelistValidation: () => 'este campo no se admite',
  isDefined: () => 'es obligatorio',
  isNotEmpty: () => 'no puede estar vacío',
  isString: () => 'debe ser texto',
  isBoolean: () => 'debe ser verdadero o falso',
  isInt: () => 'debe ser un número entero',
  isNumber: () => 'debe ser un número',
  isUuid: () => 'debe ser un identificador UUID',
  isUUID: () => 'debe ser un identificador UUID',
  isEmail: () => 'debe ser un correo electrónico válido',
  isLatitude: () => 'debe ser una latitud válida (-90 a 90)',
  isLongitude: () => 'debe ser una longitud válida (-180 a 180)',
  isIn: (m) => `debe ser uno de: ${afterColon(m)}`,
  isEnum: (m) => `debe ser uno de: ${afterColon(m)}`,
  min: (m) => `no puede ser menor que ${lastNumber(m)}`,
  max: (m) => `no puede ser mayor que ${lastNumber(m)}`,
  minLength: (m) => `debe tener al menos ${lastNumber(m)} caracteres`,
  maxLength: (m) => `debe tener como máximo ${lastNumber(m)} caracteres`,
  isObject: () => 'debe ser un objeto',
  nestedValidation: () => 'debe ser un objeto válido',
  isDateString: () => 'debe ser una fecha válida',
  isISO8601: () => 'debe ser una fecha válida (AAAA-MM-DD)',
  matches: () => 'no tiene el formato esperado',
};

/** The property name class-validator puts first is dropped: the field is reported beside the text. */
export function spanishProblem(constraint: string, english: string): string {
  const translate = byConstraint[constraint];
  return translate ? translate(english) : english;
}

function lastNumber(message: string): string {
  const numbers = message.match(/-?\d+(\.\d+)?/g);
  return numbers ? numbers[numbers.length - 1] : '';
}

function afterColon(message: string): string {
  const i = message.lastIndexOf(':');
  return i >= 0 ? message.slice(i + 1).trim() : message;
}
